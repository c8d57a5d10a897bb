/**
 * The text of `JSON.stringify(value, null, 2)`, in pieces: a top-level object key by key, and an
 * array under one of its keys element by element. A --json report of 10,000 migrated items is about
 * 3 MB of text; written in pieces it is never one string (nor one buffer of it) in memory at once,
 * which was a tenth of the run's peak. Anything else is stringified whole, exactly as JSON.stringify
 * does it (toJSON, undefined properties left out, undefined array elements as null).
 */
export function* prettyJsonPieces(value: unknown): Generator<string> {
  if (!isPlainObject(value)) {
    yield JSON.stringify(value, null, 2) ?? 'null'
    return
  }

  const entries = Object.entries(value)
    .map(([key, member]) => [key, member, Array.isArray(member) ? undefined : JSON.stringify(member, null, 2)] as const)
    .filter(([, member, text]) => Array.isArray(member) || text !== undefined)
  if (entries.length === 0) {
    yield '{}'
    return
  }

  yield '{\n'
  for (const [index, [key, member, text]] of entries.entries()) {
    const head = `  ${JSON.stringify(key)}: `
    const end = index < entries.length - 1 ? ',\n' : '\n'
    if (!Array.isArray(member) || member.length === 0) {
      yield `${head}${indent(text ?? '[]', 1)}${end}`
      continue
    }

    yield `${head}[\n`
    for (const [position, element] of member.entries()) {
      yield `    ${indent(JSON.stringify(element, null, 2) ?? 'null', 2)}${position < member.length - 1 ? ',\n' : '\n'}`
    }

    yield `  ]${end}`
  }

  yield '}'
}

/** A value stringified on its own, placed `depth` levels deep: its later lines move right (a string's newlines are escaped, so every raw newline is structure). */
function indent(text: string, depth: number): string {
  return text.replaceAll('\n', `\n${'  '.repeat(depth)}`)
}

/** An object JSON.stringify would walk key by key itself (not an array, nor something with toJSON). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as {toJSON?: unknown}).toJSON !== 'function'
}
