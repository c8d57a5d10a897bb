/**
 * Prose for a terminal, broken between words at its width: a terminal breaks a long line wherever the
 * column ends, mid-word, and a figure or a flag split over two lines is misread.
 */
export function wrapToWidth(text: string, width: number | undefined): string {
  if (width === undefined || width < 20) return text
  return text
    .split('\n')
    .map((line) => wrapLine(line, width))
    .join('\n')
}

/** One line, broken at spaces; a word longer than the width stays whole on a line of its own. */
function wrapLine(line: string, width: number): string {
  if (line.length <= width) return line
  const lines: string[] = []
  let current = ''
  for (const word of line.split(' ')) {
    if (current === '') current = word
    else if (current.length + 1 + word.length <= width) current += ` ${word}`
    else {
      lines.push(current)
      current = word
    }
  }

  lines.push(current)
  return lines.join('\n')
}

/** How many rows of a terminal `width` columns wide `text` takes, counting the lines it breaks itself. */
export function screenRows(text: string, width: number | undefined): number {
  // Colour codes take no room on screen.
  const lines = text.replaceAll(/\u001B\[[\d;]*m/g, '').split('\n')
  if (width === undefined || width <= 0) return lines.length
  return lines.reduce((rows, line) => rows + Math.max(1, Math.ceil(line.length / width)), 0)
}
