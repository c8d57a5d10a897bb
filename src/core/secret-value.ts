import {AWS_LIMITS} from './aws-limits.js'
import {UsageError} from './errors.js'

/** Secrets Manager's limit on a secret value, in bytes. */
export const MAX_SECRET_BYTES = AWS_LIMITS.secretValue.max

/**
 * A secret value as bytes. Text that is valid UTF-8 is stored as SecretString; anything else as
 * SecretBinary, so no byte is ever altered by a decode/encode round trip.
 */
export class SecretValue {
  private constructor(readonly bytes: Uint8Array) {}

  static fromBytes(bytes: Uint8Array): SecretValue {
    return new SecretValue(bytes)
  }

  static fromString(text: string): SecretValue {
    return new SecretValue(new TextEncoder().encode(text))
  }

  /** The text, when the bytes are valid UTF-8; undefined otherwise. */
  get text(): string | undefined {
    try {
      return new TextDecoder('utf-8', {fatal: true, ignoreBOM: true}).decode(this.bytes)
    } catch {
      return undefined
    }
  }

  get byteLength(): number {
    return this.bytes.byteLength
  }

  equals(other: SecretValue): boolean {
    return Buffer.from(this.bytes).equals(Buffer.from(other.bytes))
  }

  /** JSON shows a value only on purpose (see `toJSONValue`); an accidental serialisation shows nothing. */
  toJSON(): string {
    return '[secret value]'
  }

  toString(): string {
    return '[secret value]'
  }

  /** The value as a JSON string: the text, or `base64:<...>` for a value that is not UTF-8. */
  toJSONValue(): string {
    return this.text ?? `base64:${Buffer.from(this.bytes).toString('base64')}`
  }
}

/**
 * Refuses values Secrets Manager would refuse, before any AWS call. The message gives sizes, never
 * content.
 */
export function assertStorableValue(value: SecretValue, source: string): void {
  if (value.byteLength === 0) {
    throw new UsageError(
      `The value from ${source} is empty; an empty secret is refused.`,
      emptyValueHint(source),
    )
  }

  if (value.byteLength > MAX_SECRET_BYTES) {
    throw new UsageError(
      `The value from ${source} is ${value.byteLength} bytes; Secrets Manager stores at most ${MAX_SECRET_BYTES}.`,
    )
  }
}

/**
 * Values piped on stdin usually end with the newline `echo` adds: drop exactly one "\n" or "\r\n",
 * nothing else, so every other byte (including further newlines and spaces) is kept.
 */
export function stripOneTrailingNewline(bytes: Uint8Array): Uint8Array {
  const n = bytes.byteLength
  if (n >= 2 && bytes[n - 2] === 0x0d && bytes[n - 1] === 0x0a) return bytes.subarray(0, n - 2)
  if (n >= 1 && bytes[n - 1] === 0x0a) return bytes.subarray(0, n - 1)
  return bytes
}

/**
 * The next step for an empty value, from where it came: a file is filled in, stdin gets a value (or
 * the prompt, which only a terminal can show), the prompt is typed into.
 */
function emptyValueHint(source: string): string {
  if (source.startsWith('file ')) return `Put the value in ${source.slice(5)}, or pipe it on stdin instead of --from-file.`
  if (source === 'stdin') return 'Pipe a value that is not empty on stdin (printf %s "$VALUE" | secrets set ...), pass --from-file PATH, or run it on a terminal without a pipe to be prompted.'
  return 'Type the value at the prompt.'
}
