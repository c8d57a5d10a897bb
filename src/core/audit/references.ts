/**
 * Values that are not secrets even under a secret-sounding name: references to where the secret is
 * kept (an ARN, a `{{resolve:...}}`, a Secrets Manager or SSM name or namespace), flags, and
 * placeholders (judged apart: under a secret's name, a placeholder is a slot for a secret).
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
/**
 * A stand-in left where a secret goes, by one rule for scan, audit and migrate. Whole values: a
 * template hole (`${DB_PASSWORD}`, `$(cmd)`, `{{ key }}`, `<Fixer API key>`), a masked value (`****`, `xxx`).
 */
const PLACEHOLDER_HOLE = /^(?:\$\{[^}]*\}|\$\([^)]*\)|\{\{[^}]*\}\}|<[^<>]*>|\*+|x{3,}|X{3,}|%s)$/
/** `YOUR_API_KEY_HERE`, `your-token`, `insert key here`, `REPLACE_WITH_TOKEN`: words that ask for a value. */
const PLACEHOLDER_REQUEST = /^(?:(?:your|insert|enter|put|paste|replace|add)(?:[-_ .][a-z0-9]+)+|(?:[a-z0-9]+[-_ .])+here)$/i
/**
 * Values made only of the words people type as a stand-in (`changeme`, `dummy`, `test-secret`,
 * `mypassword123`, `fake_api_key`): optionally glued or separated, with digits at the end. No word is
 * two others glued (`changeme` is change and me), so a long value cannot make the match backtrack.
 */
const STAND_IN_WORDS = [
  'change', 'replace', 'placeholder', 'todo', 'tbd', 'fixme', 'redacted', 'dummy', 'fake', 'mock', 'sample', 'example',
  'test', 'testing', 'tests', 'foo', 'bar', 'baz', 'default', 'local', 'dev', 'some', 'super', 'my', 'your', 'here',
  'letmein', 'qwerty', 'secrets', 'secret', 's3cr3t', 'password', 'p@ssw[o0]rd', 'passw0rd', 'passwd', 'pass', 'pwd', 'token',
  'api', 'key', 'access', 'client', 'private', 'auth', 'value', 'me', 'this', 'it',
]
const PLACEHOLDER_WORDS = new RegExp(`^(?:(?:${STAND_IN_WORDS.join('|')})[-_. ]?)+\\d*$`, 'i')
/** Typed stand-ins are shorter than this; longer values are only read for the marks below. */
const MAX_PLACEHOLDER_WORDS_LENGTH = 80
/** `abc123`, `abcd1234`, `12345678`: the sequences typed as a stand-in. */
const PLACEHOLDER_SEQUENCE = /^(?:abc|abcd|abcdef)?(?:123|1234|12345|123456|1234567|12345678|123456789|1234567890)?$/i
/**
 * Inside a one-token value: a run of X (`AIzaXXXXXXXXXXXXXXXX`, `sk_live_xxxxxxxx`), a masked run
 * (`***`), or AWS's documented EXAMPLE keys (`AKIAIOSFODNN7EXAMPLE`, `...EXAMPLEKEY`). A credential
 * format's prefix does not make these live: random characters never run to four X's in practice
 * (about 2 in a million 40-character keys) and never spell EXAMPLE.
 */
const PLACEHOLDER_MARK = /x{4,}|X{4,}|\*{3,}|EXAMPLE/

/**
 * True when `value` is a stand-in for a secret rather than one: empty, a template hole, words that ask
 * for a value, stand-in words, a typed sequence, or a credential's shape filled with X's or EXAMPLE.
 */
export function isPlaceholder(value: string): boolean {
  const trimmed = value.trim()
  if (trimmed.length === 0) return true
  // Stand-ins are short; a longer value is only a stand-in by its marks.
  if (trimmed.length > MAX_PLACEHOLDER_WORDS_LENGTH) return !/\s/.test(trimmed) && PLACEHOLDER_MARK.test(trimmed)
  if (PLACEHOLDER_HOLE.test(trimmed)) return true
  // Shorter, a word is a flag or a mode (`PASSWORD_AUTH=dev`), as benignValueReason says.
  if (trimmed.length < MIN_SECRET_LENGTH) return false
  if (PLACEHOLDER_REQUEST.test(trimmed) || PLACEHOLDER_WORDS.test(trimmed) || PLACEHOLDER_SEQUENCE.test(trimmed)) return true
  // A multi-line or spaced value (a PEM block, a command) can hold a stand-in beside a real secret.
  return !/\s/.test(trimmed) && PLACEHOLDER_MARK.test(trimmed)
}

/** Why `value` is not a secret, or undefined when it may be one. */
export function benignValueReason(value: string): BenignReason | undefined {
  const trimmed = value.trim()
  if (trimmed.length === 0) return 'empty'
  if (BOOLEAN.test(trimmed)) return 'boolean'
  if (NUMBER.test(trimmed) && trimmed.length <= MAX_FLAG_NUMBER_LENGTH) return 'number'
  if (DYNAMIC_REFERENCE.test(trimmed)) return 'dynamic-reference'
  if (ARN.test(trimmed)) return 'arn'
  if (PATH_NAME.test(trimmed)) return 'secret-name'
  if (isPlaceholder(trimmed)) return 'placeholder'
  if (URL_WITHOUT_CREDENTIALS.test(trimmed)) return 'url-without-credentials'
  if (trimmed.length < MIN_SECRET_LENGTH) return 'too-short'
  return undefined
}
