/**
 * Values that are not secrets even under a secret-sounding name: references to where the secret is
 * kept (an ARN, a `{{resolve:...}}`, a Secrets Manager or SSM name or namespace), and flags.
 */

export type BenignReason =
  | 'empty'
  | 'boolean'
  | 'number'
  | 'too-short'
  | 'arn'
  | 'dynamic-reference'
  | 'secret-name'
  | 'url-without-credentials'
  | 'placeholder'

/**
 * Shorter than this, a value is a flag or a mode, not a credential: no provider issues a secret of
 * three characters, and reporting `PASSWORD_AUTH=off`-style flags would drown the real findings.
 */
const MIN_SECRET_LENGTH = 4

/** A number this long or shorter is a setting (a port, a count); a longer digit string may be a PIN or a key. */
const MAX_FLAG_NUMBER_LENGTH = 6

const BOOLEAN = /^(true|false|yes|no|on|off|enabled?|disabled?|null|none|nil|undefined)$/i
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/
/** Any ARN: `arn:<partition>:<service>:...`. An ARN names a resource; it never carries its content. */
const ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:\S+$/
/** CloudFormation dynamic references, resolved at deploy time by the service. */
const DYNAMIC_REFERENCE = /^\{\{resolve:(secretsmanager|ssm|ssm-secure):[^\s{}]+\}\}$/
/**
 * A Secrets Manager or SSM name or namespace: `/prod/api/DB_PASS`, `/prod/api/`. The leading slash is
 * required and `+`/`=` are not allowed, so base64 (which has slashes too) does not pass as a name.
 */
const PATH_NAME = /^\/([A-Za-z0-9_.@-]+\/)*[A-Za-z0-9_.@-]*$/
/** scheme://host[:port][/path] with no `user:password@` part and no query string. */
const URL_WITHOUT_CREDENTIALS = /^[a-z][a-z0-9+.-]*:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[^\s?#@]*)?$/i
/** Template holes and obvious placeholders left for a deploy tool to fill. */
const PLACEHOLDER = /^(\$\{[^}]*\}|\$\([^)]*\)|<[^<>]*>|changeme|change[_-]me|todo|xxx+|\*+|REPLACE[_-]?ME|placeholder)$/i

/** Why `value` is not a secret, or undefined when it may be one. */
export function benignValueReason(value: string): BenignReason | undefined {
  const trimmed = value.trim()
  if (trimmed.length === 0) return 'empty'
  if (BOOLEAN.test(trimmed)) return 'boolean'
  if (NUMBER.test(trimmed) && trimmed.length <= MAX_FLAG_NUMBER_LENGTH) return 'number'
  if (DYNAMIC_REFERENCE.test(trimmed)) return 'dynamic-reference'
  if (ARN.test(trimmed)) return 'arn'
  if (PATH_NAME.test(trimmed)) return 'secret-name'
  if (URL_WITHOUT_CREDENTIALS.test(trimmed)) return 'url-without-credentials'
  if (PLACEHOLDER.test(trimmed)) return 'placeholder'
  if (trimmed.length < MIN_SECRET_LENGTH) return 'too-short'
  return undefined
}
