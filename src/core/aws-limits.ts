import {UsageError} from './errors.js'
import {printable} from './printable.js'

/*
 * AWS refuses a request whose members break its service model's limits (lengths, patterns), and the
 * emulator checks few of them: what the user gives for a request is checked here first, so a request
 * AWS would refuse is refused before any call (exit 2, naming the limit), and no command is left
 * half-applied by a later step AWS refuses. test/core/aws-limits.test.ts reads every entry against
 * the installed botocore models, so a change upstream is noticed.
 */

export type LimitedService = 'secretsmanager' | 'lambda' | 'ssm'

/** A limit a service model declares on request members (botocore's service-2.json, the SDK's source). */
export interface ModelLimit {
  readonly service: LimitedService
  /** Where the model declares it, as `Operation.Member` (`[]` steps into a list: `TagResource.Tags[].Value`). */
  readonly members: readonly string[]
  /** Bounds in characters (Unicode code points, as AWS counts), or of a number. */
  readonly min?: number
  readonly max?: number
  /** The model's pattern, as written there; AWS matches it against the whole value. */
  readonly pattern?: string
  /** For a pattern: what it allows, in words, and the characters it allows anywhere (ours, for messages). */
  readonly rule?: {readonly words: string; readonly characters: RegExp}
}

export const AWS_LIMITS = {
  /** A value: the model counts SecretString in characters and SecretBinary in bytes; AWS's quota page says 65,536 bytes for both. */
  secretValue: {service: 'secretsmanager', members: ['CreateSecret.SecretString', 'PutSecretValue.SecretString', 'CreateSecret.SecretBinary', 'PutSecretValue.SecretBinary'], min: 1, max: 65_536},
  description: {service: 'secretsmanager', members: ['CreateSecret.Description', 'UpdateSecret.Description'], max: 2048},
  kmsKeyId: {service: 'secretsmanager', members: ['CreateSecret.KmsKeyId'], min: 0, max: 2048},
  tagKey: {service: 'secretsmanager', members: ['CreateSecret.Tags[].Key', 'TagResource.Tags[].Key'], min: 1, max: 128},
  tagValue: {service: 'secretsmanager', members: ['CreateSecret.Tags[].Value', 'TagResource.Tags[].Value'], min: 0, max: 256},
  versionId: {service: 'secretsmanager', members: ['GetSecretValue.VersionId'], min: 32, max: 64},
  versionStage: {service: 'secretsmanager', members: ['GetSecretValue.VersionStage'], min: 1, max: 256},
  passwordLength: {service: 'secretsmanager', members: ['GetRandomPassword.PasswordLength'], min: 1, max: 4096},
  excludeCharacters: {service: 'secretsmanager', members: ['GetRandomPassword.ExcludeCharacters'], min: 0, max: 4096},
  nameFilter: {
    service: 'secretsmanager',
    members: ['ListSecrets.Filters[].Values[]'],
    max: 512,
    pattern: '^\\!?[a-zA-Z0-9 :_@\\/\\+\\=\\.\\-\\!]*$',
    rule: {words: 'letters, digits, spaces and :_@/+=.-!', characters: /[a-zA-Z0-9 :_@/+=.\-!]/},
  },
  functionName: {
    service: 'lambda',
    members: ['GetFunctionConfiguration.FunctionName'],
    min: 1,
    max: 256,
    pattern:
      '(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))?',
    rule: {words: 'a function name (letters, digits, - and _), optionally with :QUALIFIER, or its ARN', characters: /[a-zA-Z0-9\-_.:$]/},
  },
  ssmPath: {service: 'ssm', members: ['GetParametersByPath.Path'], min: 1, max: 2048},
} as const satisfies Record<string, ModelLimit>

/**
 * Secrets Manager's documented tag rules that its model does not carry (TagResource's reference): at
 * most 50 tags a secret, and `aws:` reserved in keys and values (AWS's own tags; one set there could
 * not be edited or removed afterwards).
 */
export const TAGS_PER_SECRET = 50
export const RESERVED_TAG_PREFIX = 'aws:'

const SERVICE_NAMES: Record<LimitedService, string> = {secretsmanager: 'Secrets Manager', lambda: 'Lambda', ssm: 'SSM'}
const NOTHING_SENT = 'nothing was sent to AWS'

/**
 * Throws a UsageError (exit 2) naming `what`, the limit and where the model sets it when `value` is
 * outside `limit`. The value itself is never quoted (it may be anything a user typed): only its length
 * or its first character the pattern does not allow.
 */
export function checkLimit(limit: ModelLimit, value: string, what: string, hint?: string): void {
  const problem = limitProblem(limit, value)
  if (problem) throw new UsageError(`${what} ${problem} (${where(limit)}); ${NOTHING_SENT}.`, hint)
}

/** Why `value` breaks `limit`, or undefined when it does not. */
export function limitProblem(limit: ModelLimit, value: string): string | undefined {
  const length = [...value].length
  const service = SERVICE_NAMES[limit.service]
  const size = length === 0 ? 'is empty' : `is ${length.toLocaleString('en-US')} characters`
  if (limit.max !== undefined && length > limit.max) return `${size}; ${service} allows at most ${limit.max.toLocaleString('en-US')}`
  if (limit.min !== undefined && length < limit.min) {
    return limit.max === undefined ? `${size}; ${service} needs at least ${limit.min}` : `${size}; ${service} takes ${limit.min} to ${limit.max.toLocaleString('en-US')}`
  }

  if (limit.pattern !== undefined && !new RegExp(`^(?:${limit.pattern})$`).test(value)) {
    const bad = [...value].find((ch) => !limit.rule?.characters.test(ch))
    return `${bad === undefined ? 'is not in the form' : `contains ${describeChar(bad)}, which is not in the characters`} ${service} allows: ${limit.rule?.words ?? limit.pattern}`
  }

  return undefined
}

/** `CreateSecret, UpdateSecret Description`: the operations and the member a limit is declared on. */
function where(limit: ModelLimit): string {
  const operations = limit.members.map((member) => member.slice(0, member.indexOf('.')))
  return `${operations.join(', ')} ${limit.members[0].slice(limit.members[0].indexOf('.') + 1)}`
}

function describeChar(ch: string): string {
  if (ch === ' ') return 'a space'
  if (/^[\x21-\x7E]$/.test(ch)) return `"${ch}"`
  return `the character U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`
}

/** What a write may set besides the value: checked before the first call of set and migrate. */
export interface WriteMetadata {
  description?: string
  kmsKeyId?: string
  tags?: Readonly<Record<string, string>>
}

/** Checks a write's description, KMS key and tags against Secrets Manager's limits (exit 2 before any call). */
export function checkWriteMetadata(metadata: WriteMetadata): void {
  if (metadata.description !== undefined) checkLimit(AWS_LIMITS.description, metadata.description, '--description')
  if (metadata.kmsKeyId !== undefined) checkLimit(AWS_LIMITS.kmsKeyId, metadata.kmsKeyId, '--kms-key-id')
  if (metadata.tags !== undefined) checkSecretTags(metadata.tags)
}

/** The tags a secret is given: the model's key and value lengths, and the documented count and reserved prefix. */
export function checkSecretTags(tags: Readonly<Record<string, string>>): void {
  const entries = Object.entries(tags)
  if (entries.length > TAGS_PER_SECRET) {
    throw new UsageError(`${entries.length} --tag keys; Secrets Manager allows at most ${TAGS_PER_SECRET} tags a secret (TagResource); ${NOTHING_SENT}.`)
  }

  for (const [key, value] of entries) {
    checkLimit(AWS_LIMITS.tagKey, key, `--tag key "${printable(key, 40)}"`)
    checkLimit(AWS_LIMITS.tagValue, value, `--tag ${printable(key, 40)}: the value`)
    for (const [part, text] of [['key', key], ['value', value]] as const) {
      if (text.toLowerCase().startsWith(RESERVED_TAG_PREFIX)) {
        throw new UsageError(
          `--tag ${printable(key, 40)}: the ${part} starts with "${RESERVED_TAG_PREFIX}", which AWS reserves for its own tags (TagResource); ${NOTHING_SENT}.`,
          'Use another prefix, such as your team\'s or company\'s name.',
        )
      }
    }
  }
}

/** Checks `--version-id` and `--version-stage` as GetSecretValue takes them (exit 2 before any call). */
export function checkVersionSelector(options: {versionId?: string; versionStage?: string}): void {
  if (options.versionId !== undefined) checkLimit(AWS_LIMITS.versionId, options.versionId, '--version-id')
  if (options.versionStage !== undefined) checkLimit(AWS_LIMITS.versionStage, options.versionStage, '--version-stage')
}

/**
 * `--from-ssm PATH` as the requests carry it: GetParametersByPath's Path, and without --to also
 * ListSecrets' name filter `PATH/` (the secrets already named after the path's parameters).
 */
export function checkSsmPath(path: string, filtersSecretsByPath: boolean): void {
  checkLimit(AWS_LIMITS.ssmPath, path, '--from-ssm')
  const prefix = `${path.replace(/\/+$/, '')}/`
  if (filtersSecretsByPath && prefix !== '/') {
    checkLimit(
      AWS_LIMITS.nameFilter,
      prefix,
      '--from-ssm, as the name filter "PATH/" of the secrets it lists without --to,',
      'Parameters under such a path cannot keep their names as secrets: give --to ENV/SERVICE to name them.',
    )
  }
}
