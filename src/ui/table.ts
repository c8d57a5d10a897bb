import {escapeLine} from '../core/printable.js'

/** ANSI colour sequences (SGR) take no room on screen, so widths are measured without them. */
const SGR = /\u001B\[[\d;]*m/g

/**
 * A cell as drawn: the colour codes (SGR) a command put in are kept, every other control character is
 * escaped. A net under the commands, which escape text from AWS where they read it.
 */
const safeCell = (text: string) =>
  text
    .split(/(\u001B\[[\d;]*m)/)
    .map((part, index) => (index % 2 === 1 ? part : escapeLine(part)))
    .join('')
const visibleLength = (text: string) => text.replaceAll(SGR, '').length

/**
 * Renders rows as aligned columns for humans; `--json` is the format for machines. Cells may be
 * coloured (e.g. with oclif's `ux.colorize`): colour codes do not count towards a column's width.
 */
export function renderTable(headers: string[], rawRows: string[][]): string {
  const rows = rawRows.map((row) => row.map((cell) => safeCell(cell)))
  const widths = headers.map((header, column) =>
    Math.max(visibleLength(header), ...rows.map((row) => visibleLength(row[column] ?? ''))),
  )
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell + ' '.repeat(Math.max(0, widths[column] - visibleLength(cell)))))
      .join('  ')
      .trimEnd()
  return [line(headers), ...rows.map((row) => line(row))].join('\n')
}

export function formatDate(date: Date | undefined): string {
  return date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-'
}
