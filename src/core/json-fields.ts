import {byPathSegments} from './order.js'
import {NotFoundError, UsageError} from './errors.js'
import {isOneLine, printable} from './printable.js'
import {MAX_SECRET_BYTES, SecretValue} from './secret-value.js'

/**
 * Key/value secrets: a secret whose value is a JSON object (the console's "key/value" type, and what
 * RDS, Aurora, Redshift and DocumentDB store). Reading a field parses the document; writing one splices
 * the new member into the stored text, so every member not touched keeps its bytes (spacing, key order,
 * number spelling, escapes) exactly.
 */

/** One top-level member of a JSON object, as offsets into the document's text. */
interface Member {
  /** The decoded field name. */
  name: string
  /** Where the member begins (its key's opening quote) and ends (just after its value). */
  start: number
  end: number
  /** Just after its key's closing quote, and where its value begins. */
  keyEnd: number
  valueStart: number
}

/** A key/value document: its text, parsed value and the spans of its top-level members. */
export interface KeyValueDocument {
  text: string
  fields: Record<string, unknown>
  members: Member[]
  /** Offsets of the object's `{` and `}`. */
  open: number
  close: number
}

/** The value's JSON object, or why it is not one: parsed once, for every caller below. */
function readObject(value: SecretValue): {fields: Record<string, unknown>; text: string} | {reason: string} {
  const text = value.text
  if (text === undefined) return {reason: 'it is binary, not text'}
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return {reason: 'it is not JSON'}
  }

  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {reason: `it is JSON ${parsed === null ? 'null' : Array.isArray(parsed) ? 'array' : typeof parsed}, not an object`}
  return {fields: parsed as Record<string, unknown>, text}
}

/** Why a value is not a key/value secret, or undefined when it is one. */
export function notKeyValueReason(value: SecretValue): string | undefined {
  const read = readObject(value)
  return 'reason' in read ? read.reason : undefined
}

/** True when the value is a JSON object. */
export function isKeyValue(value: SecretValue): boolean {
  return notKeyValueReason(value) === undefined
}

/**
 * Parses a secret's value as a key/value document; exit 2 naming `label` (never the value) when it is
 * not a JSON object.
 */
export function parseKeyValue(value: SecretValue, label: string): KeyValueDocument {
  const read = readObject(value)
  if ('reason' in read) {
    throw new UsageError(`${label} is not a key/value secret: ${read.reason} (the value is not shown).`, 'Fields exist only in secrets whose value is a JSON object, such as {"username": "...", "password": "..."}.')
  }

  return {text: read.text, fields: read.fields, ...scanMembers(read.text)}
}

/** Field names, in document order, each once. */
export function fieldNames(document: KeyValueDocument): string[] {
  return [...new Set(document.members.map((member) => member.name))]
}

/**
 * Field names are shown in messages and listings, and written into documents other tools parse
 * (grant --runtime puts them in handler code and in comments of templates): a name must be non-empty
 * and hold nothing that ends a line or moves a terminal's cursor for any of those readers.
 */
export function assertFieldName(name: string): void {
  const problem = fieldNameProblem(name)
  if (problem === undefined) return
  if (name.length === 0) throw new UsageError('A field name is empty.', 'Give --field NAME, for example --field password.')
  throw new UsageError(`The field name "${printable(name)}" ${problem}.`)
}

/** Why a field name is refused, as the end of a sentence ("is empty", "contains ..."), or undefined when it is fine. */
export function fieldNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty'
  if (!isOneLine(name)) return 'contains a control character, a line break or a bidirectional control (shown escaped)'
  return undefined
}

/** The values of `names`, as parsed JSON; exit 3 naming the first missing field and listing the names that exist. */
export function pickFields(document: KeyValueDocument, names: readonly string[], label: string): Record<string, unknown> {
  const picked: Record<string, unknown> = {}
  for (const name of names) {
    if (!Object.hasOwn(document.fields, name)) {
      const existing = fieldNames(document)
      throw new NotFoundError(
        `${label} has no field "${printable(name)}".`,
        existing.length === 0 ? 'It has no fields at all ({}).' : `Its fields: ${existing.map((field) => printable(field)).join(', ')}.`,
      )
    }

    // defineProperty, not assignment: a field named "__proto__" is a field like any other, and
    // `picked[name] = ...` would set the object's prototype instead (and lose the field).
    Object.defineProperty(picked, name, {value: document.fields[name], enumerable: true, writable: true, configurable: true})
  }

  return picked
}

/** How a field prints on its own: a JSON string as its raw text, anything else as compact JSON. */
export function fieldText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** A change to one field: set it to a string, or remove it. */
export type FieldChange = {field: string; value: string} | {field: string; unset: true}

/**
 * The document with one field changed, every other byte kept: an existing member's value is replaced
 * in place, a new member is appended in the document's own spacing, a removed member takes one comma
 * with it. `current` undefined (no secret yet) gives `{"FIELD": value}`. Removing a field that is not
 * there leaves the text as it is (`changed` false). Refuses a document whose field appears twice (its
 * readers would disagree on which counts) and a result over Secrets Manager's 65,536 bytes.
 */
export function applyFieldChange(current: KeyValueDocument | undefined, change: FieldChange, label: string): {value: SecretValue; changed: boolean} {
  // Removing writes no name anywhere, so a field another tool named with a control character can still be removed.
  if (!('unset' in change) || change.field.length === 0) assertFieldName(change.field)
  const encoded = 'unset' in change ? undefined : JSON.stringify(change.value)
  let text: string
  if (current === undefined) {
    if (encoded === undefined) return {value: SecretValue.fromString('{}'), changed: false}
    text = `{${JSON.stringify(change.field)}:${encoded}}`
  } else {
    const matching = current.members.filter((member) => member.name === change.field)
    if (matching.length > 1) {
      throw new UsageError(`${label} has the field "${printable(change.field)}" more than once; nothing was written.`, 'Rewrite the whole value with "secrets set" so each field appears once.')
    }

    const [member] = matching
    if (encoded === undefined) {
      if (!member) return {value: SecretValue.fromString(current.text), changed: false}
      text = removeMember(current, member)
    } else if (member) {
      text = current.text.slice(0, member.valueStart) + encoded + current.text.slice(member.end)
    } else {
      text = appendMember(current, JSON.stringify(change.field), encoded)
    }
  }

  const value = SecretValue.fromString(text)
  if (value.byteLength > MAX_SECRET_BYTES) {
    throw new UsageError(`${label} would be ${value.byteLength} bytes with this field; Secrets Manager stores at most ${MAX_SECRET_BYTES}. Nothing was written.`)
  }

  return {value, changed: current === undefined || text !== current.text}
}

function removeMember(document: KeyValueDocument, member: Member): string {
  const {text, members} = document
  const index = members.indexOf(member)
  const next = members[index + 1]
  // Not the last: cut from this key up to the next key (this member, its comma and the spacing after).
  if (next) return text.slice(0, member.start) + text.slice(next.start)
  const previous = members[index - 1]
  // The last of several: cut from the end of the previous value (its comma included) to this value's end.
  if (previous) return text.slice(0, previous.end) + text.slice(member.end)
  // The only one: the object keeps its braces and its outer spacing.
  return text.slice(0, document.open + 1) + text.slice(document.close)
}

function appendMember(document: KeyValueDocument, key: string, encoded: string): string {
  const {text, members} = document
  const last = members.at(-1)
  if (!last) return `${text.slice(0, document.open + 1)}${key}:${encoded}${text.slice(document.close)}`
  // Spacing copied from the document: between key and value as in its last member, and between
  // members as between its last two (or, for one member, the spacing before the first key).
  const colon = text.slice(last.keyEnd, last.valueStart)
  const previous = members.at(-2)
  const leading = text.slice(document.open + 1, members[0].start)
  const between = previous ? text.slice(previous.end, last.start) : leading.includes('\n') ? `,${leading}` : colon.endsWith(' ') ? ', ' : ','
  return text.slice(0, last.end) + between + key + colon + encoded + text.slice(last.end)
}

/** The top-level members of a valid JSON object text (JSON.parse has accepted it). */
function scanMembers(text: string): {members: Member[]; open: number; close: number} {
  let at = skipSpace(text, 0)
  const open = at
  at = skipSpace(text, at + 1)
  const members: Member[] = []
  while (text[at] !== '}') {
    const start = at
    const keyEnd = skipString(text, at)
    const name = JSON.parse(text.slice(start, keyEnd)) as string
    at = skipSpace(text, keyEnd)
    at = skipSpace(text, at + 1) // the colon
    const valueStart = at
    const end = skipValue(text, at)
    members.push({name, start, end, keyEnd, valueStart})
    at = skipSpace(text, end)
    if (text[at] === ',') at = skipSpace(text, at + 1)
  }

  return {members, open, close: at}
}

function skipSpace(text: string, at: number): number {
  while (at < text.length && ' \t\n\r'.includes(text[at])) at++
  return at
}

/** The offset just after the string that starts at `at`. */
function skipString(text: string, at: number): number {
  at++
  while (text[at] !== '"') at += text[at] === '\\' ? 2 : 1
  return at + 1
}

/** The offset just after the value that starts at `at` (nested objects and arrays included). */
function skipValue(text: string, at: number): number {
  if (text[at] === '"') return skipString(text, at)
  if (text[at] === '{' || text[at] === '[') {
    let depth = 0
    for (;;) {
      const ch = text[at]
      if (ch === '"') {
        at = skipString(text, at)
        continue
      }

      if (ch === '{' || ch === '[') depth++
      if (ch === '}' || ch === ']') depth--
      at++
      if (depth === 0) return at
    }
  }

  while (at < text.length && !',}] \t\n\r'.includes(text[at])) at++
  return at
}

/** Which fields of two key/value secrets differ: names only (values are compared here, never returned). */
export interface FieldDiff {
  onlyLeft: string[]
  onlyRight: string[]
  different: string[]
}

/**
 * Compares two values field by field when both are key/value secrets (undefined otherwise). Fields
 * compare by their parsed JSON, so `5432` and `5432.0`, or spacing, are no difference.
 */
export function compareFields(left: SecretValue, right: SecretValue): FieldDiff | undefined {
  const leftRead = readObject(left)
  const rightRead = readObject(right)
  if ('reason' in leftRead || 'reason' in rightRead) return undefined
  const [l, r] = [leftRead.fields, rightRead.fields]
  const sorted = (names: string[]) => names.sort(byPathSegments)
  return {
    onlyLeft: sorted(Object.keys(l).filter((name) => !Object.hasOwn(r, name))),
    onlyRight: sorted(Object.keys(r).filter((name) => !Object.hasOwn(l, name))),
    different: sorted(Object.keys(l).filter((name) => Object.hasOwn(r, name) && JSON.stringify(l[name]) !== JSON.stringify(r[name]))),
  }
}
