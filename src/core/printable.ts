/**
 * Characters that can rewrite a terminal or reorder what it shows: C0 and C1 controls (except newline
 * and tab), DEL, and the Unicode bidirectional controls. Names from users, files and AWS reach
 * messages; these never reach the terminal raw.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g

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
 * Text from AWS (a description, an ECS variable name, a policy name) shown on one line of a table or
 * report: every terminal-unsafe character escaped, and newlines and tabs too, so it can neither move
 * the cursor, retitle the window, clear the screen nor forge a line of its own. Other Unicode is kept.
 */
export function escapeLine(text: string): string {
  return escapeUnsafe(text).replaceAll(/[\n\t]/g, escapeChar)
}
