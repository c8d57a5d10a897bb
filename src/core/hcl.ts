/** HCL notation for the Terraform that grant prints: string literals, lists, and attributes as `terraform fmt` aligns them. Pure. */
import {codeString, escapeLines} from './printable.js'

/** An HCL string literal; `${` and `%{` are template sequences in HCL, so they are escaped. */
export function hclString(text: string): string {
  return codeString(text).replaceAll('${', '$${').replaceAll('%{', '%%{')
}

/** A `#` comment: one per line of `text`, each line escaped so that nothing in it ends the comment. */
export function hclComment(text: string): string {
  return escapeLines(text)
    .split('\n')
    .map((line) => (line === '' ? '#' : `# ${line}`))
    .join('\n')
}

export function hclList(items: string[], indent: string): string {
  if (items.length === 1) return `[${hclString(items[0])}]`
  return `[\n${items.map((item) => `${indent}  ${hclString(item)},`).join('\n')}\n${indent}]`
}

/**
 * Attributes as `terraform fmt` writes them: the `=` of consecutive one-line attributes aligned; an
 * attribute whose value spans lines stands alone (and ends the run before it).
 */
export function hclAttributes(attributes: [string, string][], indent: string): string[] {
  const lines: string[] = []
  let run: [string, string][] = []
  const flush = () => {
    const width = Math.max(0, ...run.map(([key]) => key.length))
    for (const [key, value] of run) lines.push(`${indent}${key.padEnd(width)} = ${value}`)
    run = []
  }

  for (const [key, value] of attributes) {
    if (value.includes('\n')) {
      flush()
      lines.push(`${indent}${key} = ${value}`)
    } else {
      run.push([key, value])
    }
  }

  flush()
  return lines
}
