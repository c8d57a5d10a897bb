/** ANSI colour sequences (SGR) take no room on screen, so widths are measured without them. */
const SGR = /\u001B\[[\d;]*m/g
const visibleLength = (text: string) => text.replaceAll(SGR, '').length

/**
 * Renders rows as aligned columns for humans; `--json` is the format for machines. Cells may be
 * coloured (e.g. with oclif's `ux.colorize`): colour codes do not count towards a column's width.
 */
export function renderTable(headers: string[], rows: string[][]): string {
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
