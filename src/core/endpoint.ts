import {UnavailableError} from './errors.js'

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

/** The per-service variable the SDK reads an endpoint from, by the short service names of src/aws/clients.ts. */
const SERVICE_VARIABLES: Readonly<Record<string, string>> = {
  secretsmanager: 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
  ssm: 'AWS_ENDPOINT_URL_SSM',
  sts: 'AWS_ENDPOINT_URL_STS',
  iam: 'AWS_ENDPOINT_URL_IAM',
  lambda: 'AWS_ENDPOINT_URL_LAMBDA',
  ecs: 'AWS_ENDPOINT_URL_ECS',
}

/**
 * Where a client of `service` sends its calls and the setting that chose it, in the SDK's order:
 * --endpoint-url, AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL. Undefined means AWS's own endpoint (or a
 * profile's endpoint_url, which the SDK reads from the shared config).
 */
export function endpointSetting(env: NodeJS.ProcessEnv, flag: string | undefined, service: string): {url: string; setting: string} | undefined {
  if (flag) return {url: flag, setting: '--endpoint-url'}
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true') return undefined
  const variable = SERVICE_VARIABLES[service]
  if (variable && env[variable]) return {url: env[variable], setting: variable}
  if (env.AWS_ENDPOINT_URL) return {url: env.AWS_ENDPOINT_URL, setting: 'AWS_ENDPOINT_URL'}
  return undefined
}

/**
 * An answer that is not in any AWS protocol (an HTML page, a body the SDK could not parse) means the
 * endpoint is not AWS nor an AWS emulator: a wrong port, a web server, a proxy's error page. That is a
 * placement problem (exit 6) naming the setting to fix, not a bug (exit 1) nor a fault "on the AWS side".
 */
export function notAwsEndpointError(answer: {service: string; status?: number; contentType?: string}, endpoint: {url: string; setting: string} | undefined): UnavailableError {
  const what = `${answer.status === undefined ? 'an answer' : `HTTP ${answer.status}`}${answer.contentType ? ` (${answer.contentType.split(';')[0].slice(0, 40)})` : ''}`
  if (endpoint === undefined) {
    return new UnavailableError(
      `The ${answer.service} endpoint answered ${what} that is not an AWS API answer.`,
      'Something between this machine and AWS answered instead (a proxy or a captive portal), or a profile\'s endpoint_url points elsewhere; "secrets doctor" shows the endpoints in use.',
    )
  }

  return new UnavailableError(
    `${shownEndpoint(endpoint.url)} (from ${endpoint.setting}) answered ${what} that is not an AWS API answer: it is not AWS or an AWS emulator.`,
    `Point ${endpoint.setting} at AWS or an emulator (for example http://127.0.0.1:4566), or unset it to use AWS's own endpoint.`,
  )
}

/** The media types of AWS's protocols: JSON (awsJson, restJson), XML (query, restXml) and CBOR (rpcv2). */
const AWS_MEDIA_TYPE = /^(application\/(x-amz-json-1\.[01]|json|xml|cbor)|text\/xml)\b/i

/**
 * True when an SDK error carries an answer in no AWS protocol: a response whose media type none of
 * AWS's protocols uses (an HTML page, plain text). A body that breaks off or does not parse under an
 * AWS media type stays the fault it is (a deadline, a 5xx through a proxy), retried as such.
 */
export function isNotAwsAnswer(error: unknown): boolean {
  const type = ((error ?? {}) as {$response?: {headers?: Record<string, string>}}).$response?.headers?.['content-type']
  return type !== undefined && type !== '' && !AWS_MEDIA_TYPE.test(type.trim())
}
