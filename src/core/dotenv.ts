import {randomBytes} from 'node:crypto'

import {parse} from 'dotenv'

import {UsageError} from './errors.js'
import {SecretValue} from './secret-value.js'
import {noun} from './words.js'

/** One `KEY=value` entry of a .env file, with the 1-based line its key is on. */
export interface DotenvEntry {
  key: string
  /** Line of the key (lines counted after CRLF/CR are read as LF, as editors count them). */
  line: number
  value: SecretValue
}

export interface DotenvFile {
  /** Entries in file order. A repeated key is not here: see `duplicates`. */
  entries: DotenvEntry[]
  /** Keys given more than once, with every line they are on. */
  duplicates: {key: string; lines: number[]}[]
  /**
   * Lines that are not blank, not comments, not part of a quoted value and that dotenv does not read
   * as an entry (e.g. `MY KEY=1`, `ключ=1`): reported by number only, since they may hold a value.
   */
  ignoredLines: number[]
  /**
   * Lines dotenv reads as `KEY=VALUE` whose "key" could be part of a secret: a line inside an unquoted
   * multi-line PEM block (`MIIE...abc==` reads as the key `MIIE...abc` with the value `=`), or a key
   * that looks like encoded data. Reported by number only, never as a name, and never migrated.
   */
  suspectLines: {line: number; reason: string}[]
  /**
   * Keys whose value is only the first line of an unquoted multi-line PEM block: migrated as it stands,
   * the secret would hold `-----BEGIN ...-----` and nothing else. `block` is the whole block, as it
   * would read had it been quoted, for scan to judge (migrate refuses the key all the same).
   */
  truncated: {key: string; line: number; block: SecretValue}[]
  /**
   * Entries whose unquoted value holds a `#` right after another character (`TOKEN=abc#x`, or
   * `TOKEN=#x`): dotenv reads every unquoted `#` as the start of a comment, so the value is what comes
   * before it (`abc`), with no word said. A `#` after a space or tab (`TOKEN=abc #x`) is the usual
   * trailing comment and is not listed. Keys and lines only, never the value.
   */
  cutAtHash: {key: string; line: number}[]
}

const PEM_BEGIN = /^-----BEGIN [A-Z0-9 ]+-----$/
const PEM_END = /^\s*-----END [A-Z0-9 ]+-----\s*$/

/** Why a key is reported by its line only: it is shaped like a line of base64, not like a name. */
const ENCODED_KEY_REASON = 'this line reads as a key that looks like encoded data (a line of a key or token?); it is shown by line number only and was not migrated: quote multi-line values'
const PEM_LINE_REASON = 'this line is inside an unquoted multi-line PEM block; it is shown by line number only and was not migrated: quote the whole value in double quotes'

/**
 * True for a line that is a padded line of base64 rather than an entry: 16 or more letters and digits
 * of at least two kinds (upper, lower, digit), then `=` or `==`, and nothing else. dotenv reads it as
 * a key with an empty value or the value `=`, neither of which is worth migrating, so a variable that
 * merely looks like this (`SomeLongKeyName1=`) loses nothing by being reported by line number.
 */
export function looksEncoded(line: string): boolean {
  const match = /^\s*([A-Za-z0-9]{16,})={1,2}\s*$/.exec(line)
  if (!match) return false
  const kinds = [/[A-Z]/, /[a-z]/, /\d/].filter((pattern) => pattern.test(match[1])).length
  return kinds >= 2
}

/**
 * What dotenv's own parser accepts as the start of an entry on one line: optional `export `, a key of
 * `[\w.-]`, then `=` or `: `. Kept in step with dotenv's LINE pattern; it only decides which keys to
 * rename, the parsing itself is dotenv's.
 */
const ENTRY_START = /^(\s*(?:export\s+)?)([\w.-]+)(?=\s*=|:\s|:$)/
const COMMENT_OR_BLANK = /^\s*(?:#.*)?$/

/**
 * Reads .env text with the `dotenv` package's parser, and also finds what dotenv alone cannot say:
 * the line of each entry and keys that are repeated (dotenv keeps the last one silently).
 *
 * How, without a second parser: every line that starts like an entry gets its key renamed to a unique
 * marker (`__L12_<nonce>__`), every other non-comment line gets a harmless prefix token, and dotenv
 * parses that text once. Markers that come back as keys are real entries (a `KEY=` line inside a
 * multi-line quoted value stays inside the value); a prefix token found in no value marks a line
 * dotenv skipped. Renaming a key to another `[\w]` key and prefixing a line that is not an entry keep
 * every quote where it was, so dotenv sees the same structure. A second parse, with only the real
 * entry lines renamed, gives the exact values.
 */
export function readDotenv(text: string): DotenvFile {
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  const nonce = randomBytes(8).toString('hex')
  const marker = (line: number) => `__L${line}_${nonce}__`
  const {keysByLine, entryLines, ignoredLines} = probeLines(lines, nonce, marker)

  // Second parse: only real entries renamed, nothing prefixed, so every value is exactly dotenv's.
  const entrySet = new Set(entryLines)
  const exact = lines.map((line, index) => {
    if (!entrySet.has(index + 1)) return line
    const start = ENTRY_START.exec(line) as RegExpExecArray
    return start[1] + marker(index + 1) + line.slice(start[0].length)
  })
  const values = parse(exact.join('\n'))
  const read: EntryLines = {lines, entryLines, entrySet, keysByLine, valueAt: (line) => values[marker(line)] ?? ''}
  const {suspect, truncated} = findPemBlocks(read)
  const collected = collectEntries(read, suspect, truncated)
  const cutAtHash = collected.entries.filter(({line}) => cutByHash(lines[line - 1])).map(({key, line}) => ({key, line}))
  return {...collected, ignoredLines, cutAtHash}
}

/**
 * True when an entry line's value is unquoted and holds a `#` that is not after a space or tab: dotenv's
 * LINE pattern ends an unquoted value at the first `#`, wherever it is, so the rest is lost.
 */
function cutByHash(line: string): boolean {
  const start = ENTRY_START.exec(line) as RegExpExecArray
  const value = line.slice(start[0].length).replace(/^\s*(?:=|:(?=\s|$))/, '')
  if (/^\s*["'`]/.test(value)) return false
  const hash = value.indexOf('#')
  return hash !== -1 && (hash === 0 || !/\s/.test(value[hash - 1]))
}

/**
 * What to say about a key whose value dotenv cut at a `#` (see DotenvFile.cutAtHash): its key and line,
 * never its value, and how to keep the whole value.
 */
export function cutAtHashProblem(file: string, key: string, line: number): string {
  return `${file} line ${line}: the value of ${key} is cut at "#" (dotenv reads an unquoted # as the start of a comment, so only what comes before it is read); if the # is part of the value, quote it: ${key}='...' (single quotes keep every character as it is)`
}

/** The entry lines of a file as dotenv reads them: their keys and exact values, by line number. */
interface EntryLines {
  lines: string[]
  /** Line numbers (1-based) dotenv reads as an entry, in order. */
  entryLines: number[]
  entrySet: ReadonlySet<number>
  keysByLine: ReadonlyMap<number, string>
  valueAt: (line: number) => string
}

/**
 * The first parse: every entry line's key renamed to a marker naming its line, every other line
 * that is no comment prefixed with a probe. The markers dotenv returns are the entry lines; a probe
 * found in no value is a line dotenv skipped.
 */
function probeLines(lines: string[], nonce: string, marker: (line: number) => string): {keysByLine: Map<number, string>; entryLines: number[]; ignoredLines: number[]} {
  const probe = (line: number) => `__P${line}_${nonce}__!`
  const renamed: string[] = []
  const keysByLine = new Map<number, string>()
  const probed: number[] = []
  for (const [index, line] of lines.entries()) {
    const number = index + 1
    const start = ENTRY_START.exec(line)
    if (start) {
      keysByLine.set(number, start[2])
      renamed.push(start[1] + marker(number) + line.slice(start[0].length))
    } else if (COMMENT_OR_BLANK.test(line)) {
      renamed.push(line)
    } else {
      probed.push(number)
      renamed.push(probe(number) + line)
    }
  }

  const first = parse(renamed.join('\n'))
  const entryLines: number[] = []
  const markerKey = new RegExp(`^__L(\\d+)_${nonce}__$`)
  for (const key of Object.keys(first)) {
    const match = markerKey.exec(key)
    if (match) entryLines.push(Number(match[1]))
  }

  entryLines.sort((a, b) => a - b)
  const allValues = Object.values(first).join('\n')
  return {keysByLine, entryLines, ignoredLines: probed.filter((number) => !allValues.includes(probe(number)))}
}

/**
 * Unquoted PEM blocks: the entry that opens one holds only its first line, and every line of the
 * block that dotenv read as an entry is key material, not a key.
 */
function findPemBlocks({lines, entryLines, entrySet, keysByLine, valueAt}: EntryLines): {suspect: Map<number, string>; truncated: DotenvFile['truncated']} {
  const suspect = new Map<number, string>()
  const truncated: DotenvFile['truncated'] = []
  for (const number of entryLines) {
    if (suspect.has(number)) continue
    const key = keysByLine.get(number) as string
    const value = valueAt(number)
    if (looksEncoded(lines[number - 1])) {
      suspect.set(number, ENCODED_KEY_REASON)
      continue
    }

    if (!PEM_BEGIN.test(value.trim()) || /^\s*(?:export\s+)?[\w.-]+\s*[=:]\s*["'`]/.test(lines[number - 1])) continue
    let next = number + 1
    for (; next <= lines.length && !PEM_END.test(lines[next - 1]); next++) {
      if (entrySet.has(next)) suspect.set(next, PEM_LINE_REASON)
    }

    const block = [value.trim(), ...lines.slice(number, next).map((line) => line.trim())].join('\n')
    truncated.push({key, line: number, block: SecretValue.fromString(block)})
  }

  return {suspect, truncated}
}

/** The entries that are keys (not key material), one per key; a key on several lines is a duplicate. */
function collectEntries(
  {entryLines, keysByLine, valueAt}: EntryLines,
  suspect: ReadonlyMap<number, string>,
  truncated: DotenvFile['truncated'],
): Omit<DotenvFile, 'ignoredLines' | 'cutAtHash'> {
  const linesByKey = new Map<string, number[]>()
  for (const number of entryLines) {
    if (suspect.has(number)) continue
    const key = keysByLine.get(number) as string
    linesByKey.set(key, [...(linesByKey.get(key) ?? []), number])
  }

  const entries: DotenvEntry[] = []
  const duplicates: DotenvFile['duplicates'] = []
  const cut = new Set(truncated.map(({line}) => line))
  for (const [key, keyLines] of linesByKey) {
    if (keyLines.length > 1) duplicates.push({key, lines: keyLines})
    else if (!cut.has(keyLines[0])) entries.push({key, line: keyLines[0], value: SecretValue.fromString(valueAt(keyLines[0]))})
  }

  entries.sort((a, b) => a.line - b.line)
  const suspectLines = [...suspect].map(([line, reason]) => ({line, reason})).sort((a, b) => a.line - b.line)
  return {entries, duplicates, suspectLines, truncated: truncated.filter(({key}) => !duplicates.some((d) => d.key === key))}
}

/**
 * Decodes a .env file's bytes. Anything but UTF-8 is refused: decoding it would silently replace
 * bytes and migrate mangled values. A UTF-8 byte order mark is dropped.
 */
export function decodeDotenv(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', {fatal: true}).decode(bytes)
  } catch {
    throw new UsageError(`${file} is not valid UTF-8; nothing was read from it.`, 'Convert the file to UTF-8 (e.g. iconv -t UTF-8) and run again.')
  }
}

/** The error for repeated keys: it names each key and its lines, never a value. */
export function duplicateKeysError(file: string, duplicates: DotenvFile['duplicates']): UsageError {
  const list = duplicates.map(({key, lines}) => `${key} (lines ${lines.join(', ')})`).join('; ')
  return new UsageError(
    `${file} sets ${noun(duplicates.length, 'a key', 'keys')} more than once: ${list}. Nothing was migrated.`,
    'Keep one line per key (dotenv would silently use the last one) and run again.',
  )
}
