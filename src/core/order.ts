/**
 * The one order of names in the CLI's output: by code unit (code point order for the characters a secret name may hold), as `get --all`, `list`, `diff`
 * and the migration plan sort them. Unlike `localeCompare` it does not depend on the machine's
 * locale, and `API_KEY` sorts before `api_key` everywhere.
 */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
