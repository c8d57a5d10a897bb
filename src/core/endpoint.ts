/**
 * Endpoint URLs as the user gives them (--endpoint-url, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>).
 * A URL may carry a password (`http://user:PW@host`, as proxies and some emulators take it), so one is
 * never shown with its userinfo, and a URL that does not parse is never quoted at all.
 */

/** The URL as it may be shown: no user name or password, no query (which may hold a token). */
export function shownEndpoint(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return '(not a valid URL)'
  }

  parsed.username = ''
  parsed.password = ''
  const shown = `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' && !url.endsWith('/') ? '' : parsed.pathname}`
  return parsed.search ? `${shown}?(query not shown)` : shown
}

/** Why `url` cannot be an AWS endpoint (an http or https URL with a host), or undefined when it can. */
export function endpointProblem(url: string): string | undefined {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return 'is not a URL; expected http(s)://HOST[:PORT], for example http://127.0.0.1:4566'
  }

  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `has the scheme ${parsed.protocol.slice(0, 20)}; expected http:// or https://`
  if (parsed.hostname === '') return 'has no host; expected http(s)://HOST[:PORT]'
  return undefined
}
