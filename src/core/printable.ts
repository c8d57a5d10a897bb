/**
 * Characters that can rewrite a terminal, reorder what it shows, or end a line where a reader of
 * generated code or YAML sees a new one: C0 and C1 controls (except newline and tab; NEL, U+0085, is
 * C1), DEL, the Unicode line and paragraph separators (line terminators to JavaScript, TypeScript and
 * YAML 1.1), the bidirectional controls, lone surrogates and the noncharacters U+FFFE and U+FFFF
 * (which PyYAML refuses in a whole stream). Names from users, files and AWS reach messages and
 * generated documents; these never reach either raw.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uD800-\uDFFF\uFFFE\uFFFF]/gu

/** The same set, plus newline and tab: what may not appear inside one line of a message, a comment or a name. */
// eslint-disable-next-line no-control-regex
const NOT_IN_A_LINE = /[\t\n\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uD800-\uDFFF\uFFFE\uFFFF]/gu

const escapeChar = (ch: string) => `\\u{${(ch.codePointAt(0) ?? 0).toString(16)}}`

/** The text with every terminal-unsafe character escaped as `\u{...}`; everything else kept. */
export function escapeUnsafe(text: string): string {
  return text.replace(UNSAFE, escapeChar)
}

/** A user-supplied value shown in a message: at most `max` characters, anything but printable ASCII escaped. */
export function printable(value: string, max = 80): string {
  const shown = value.length > max ? `${value.slice(0, max - 3)}...` : value
  return shown.replaceAll(/[^\x20-\x7E]/g, escapeChar)
}

/**
 * Text from AWS or a user (a description, an ECS variable name, a field name, a rotation schedule)
 * shown on one line of a table or report, or put in one line of a comment in generated code: every
 * unsafe character escaped, and newlines and tabs too, so it can neither move the cursor, retitle the
 * window, clear the screen, forge a line of its own nor end a comment. Other Unicode is kept.
 */
export function escapeLine(text: string): string {
  return text.replace(NOT_IN_A_LINE, escapeChar)
}

/** True when `escapeLine` keeps the text as it is: no control character, no line terminator of any reader. */
export function isOneLine(text: string): boolean {
  return !ONE_NOT_IN_A_LINE.test(text)
}

const ONE_NOT_IN_A_LINE = new RegExp(NOT_IN_A_LINE.source, 'u')

/**
 * A double-quoted string literal that JavaScript, TypeScript, Python and HCL all read back as `text`,
 * holding no control character nor line terminator raw: the quote and the backslash escaped, newline,
 * CR and tab by their short escapes, every other character of `escapeLine`'s set as a four-digit
 * `\u` escape (the escapes the four languages share; JSON's short forms for backspace and form feed
 * are not HCL). Printable Unicode is kept, so a field name such as `contraseña` reads as itself.
 */
export function codeString(text: string): string {
  return `"${text.replace(IN_A_LITERAL, (ch) => SHORT_ESCAPES[ch] ?? `\\u${(ch.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`)}"`
}

const SHORT_ESCAPES: Record<string, string> = {'"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t'}
const IN_A_LITERAL = new RegExp(`["\\\\]|${NOT_IN_A_LINE.source}`, 'gu')

/** Text of several lines, each escaped by `escapeLine` and the newlines between kept: the body of a comment. */
export function escapeLines(text: string): string {
  return text
    .split('\n')
    .map((line) => escapeLine(line))
    .join('\n')
}

/**
 * A value given to a known flag is shown when it reads as a mistyped word or a small number
 * (`--only bogus`, `--recovery-days 5`): that is what such a flag is given. Anything else (a token
 * with digits and letters, punctuation, a long string) may be a secret pasted in the wrong place,
 * and stays out of the message.
 */
export function shownValue(value: string): string {
  return /^[a-z][a-z-]{0,15}$/i.test(value) || /^-?\d{1,4}$/.test(value) ? `"${value}"` : '(not shown)'
}
