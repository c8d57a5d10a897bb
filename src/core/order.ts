/**
 * The one order of names in the CLI's output, as `get --all`, `list`, `diff` and the migration plan
 * sort them: by path segment, each segment by code unit (code point order for the characters a secret
 * name may hold). Segment first, so `/staging/billing/*` comes before `/staging/billing-reports/*`
 * (a plain string order puts `-` before `/`). Unlike `localeCompare` it does not depend on the
 * machine's locale, and `API_KEY` sorts before `api_key` everywhere.
 */
export function byPathSegments(a: string, b: string): number {
  const left = a.split('/')
  const right = b.split('/')
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    if (left[i] !== right[i]) return left[i] < right[i] ? -1 : 1
  }

  return left.length - right.length
}
