import {
  AccessDeniedError,
  ConflictError,
  ExitCode,
  NotFoundError,
  SecretsError,
  UnavailableError,
  UsageError,
} from '../core/errors.js'
import type {CredentialProblem} from '../core/readers.js'
import type {SecretValue} from '../core/secret-value.js'

/** What was being attempted, so a translated error can name the action and the resource. */
export interface AwsCallContext {
  /** IAM action, e.g. `secretsmanager:GetSecretValue`. */
  action: string
  /** The secret or parameter name (never a value). */
  resource?: string
  /** Shown with "not found" errors, e.g. `secrets list prod/api`. */
  listHint?: string
  /**
   * The value the request carried (CreateSecret, PutSecretValue). AWS's message is only quoted for
   * validation errors, and an endpoint may quote the request back: the value is cut out of it.
   */
  value?: SecretValue
}

interface SdkLikeError {
  name?: string
  code?: string
  message?: string
  $metadata?: {httpStatusCode?: number; attempts?: number}
  $retryable?: unknown
}

const ACCESS_DENIED = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'ExpiredTokenException',
  'ExpiredToken',
  'CredentialsProviderError',
  'AuthFailure',
])
const THROTTLED = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'TooManyUpdates',
  'ThrottledException',
  'RateExceeded',
])
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
])
/** How AWS (and the emulator) word an operation refused because the secret is scheduled for deletion. */
export const SCHEDULED_FOR_DELETION = /marked (for )?delet|deletion/i

const NOT_FOUND = new Set(['ResourceNotFoundException', 'ParameterNotFound', 'NoSuchEntity', 'NoSuchEntityException'])

/**
 * Turns an SDK error into a typed error with an exit code and a next step. Messages are built from
 * the error's name, the action and the resource name; AWS's own message is only added for
 * validation errors, which describe the request and never carry secret values.
 */
export function translateAwsError(error: unknown, context: AwsCallContext): SecretsError {
  if (error instanceof SecretsError) return error
  const translated = translate(error, context)
  const raw = ((error ?? {}) as SdkLikeError).message ?? ''
  const why = translated instanceof AccessDeniedError ? deniedBecause(raw) : undefined
  translated.aws = {name: ((error ?? {}) as SdkLikeError).name, ...(why ? {deniedBecause: why} : {})}
  return translated
}

/** An SDK error as the translation reads it, with the call's wording ready. */
interface Failure {
  error: unknown
  context: AwsCallContext
  name: string
  code: string
  /** AWS's message, with the request's value cut out. */
  message: string
  status?: number
  /** `<action> on <resource>`. */
  what: string
  /** ` after N attempts`, when the SDK retried. */
  tried: string
}

function translate(error: unknown, context: AwsCallContext): SecretsError {
  const err = (error ?? {}) as SdkLikeError
  const attempts = err.$metadata?.attempts
  const failure: Failure = {
    error,
    context,
    name: err.name ?? 'Error',
    code: err.code ?? '',
    message: redactValue(err.message ?? '', context.value),
    status: err.$metadata?.httpStatusCode,
    what: context.resource ? `${context.action} on ${context.resource}` : context.action,
    tried: attempts && attempts > 1 ? ` after ${attempts} attempts` : '',
  }
  return missingOrDenied(failure) ?? unavailable(failure) ?? refused(failure)
}

/** The resource does not exist, or the identity may not reach it (or there is no identity at all). */
function missingOrDenied({context, name, message, status, what}: Failure): SecretsError | undefined {
  if (NOT_FOUND.has(name)) {
    return new NotFoundError(
      `${context.resource ?? 'The resource'} was not found (${context.action}).`,
      context.listHint ? `Run "${context.listHint}" to see what exists.` : undefined,
    )
  }

  if (!ACCESS_DENIED.has(name) && status !== 403) return undefined
  const credentials = name === 'CredentialsProviderError' || (/credential/i.test(message) && status === undefined)
  if (credentials) {
    return new AccessDeniedError(
      `No AWS credentials were found for ${what}.`,
      'Set AWS_PROFILE or pass --profile, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; run "secrets doctor" to check.',
    )
  }

  return new AccessDeniedError(
    `Access denied: ${what} (${name}).`,
    `Grant ${context.action} to your identity for that resource, or use another profile; run "secrets doctor" to check.`,
  )
}

/** AWS could not be reached or could not answer: throttling, the network, a 5xx. Worth a retry later. */
function unavailable({name, code, message, status, what, tried}: Failure): SecretsError | undefined {
  if (THROTTLED.has(name) || status === 429) {
    return new UnavailableError(
      `AWS kept throttling ${what}${tried}.`,
      'Wait a moment and run the command again; lower --concurrency where the command has it.',
    )
  }

  if (
    NETWORK_CODES.has(code) ||
    NETWORK_CODES.has(name) ||
    name === 'TimeoutError' ||
    name === 'RequestTimeout' ||
    name === 'RequestTimeoutException' ||
    (/socket hang up|connect ECONNREFUSED|getaddrinfo|timed? ?out/i.test(message) && status === undefined)
  ) {
    return new UnavailableError(
      `Could not reach AWS for ${what}${tried} (${code || name}).`,
      'Check the network, --region and --endpoint-url (or AWS_ENDPOINT_URL), then run the command again.',
    )
  }

  if (status !== undefined && status >= 500) {
    return new UnavailableError(
      `AWS answered ${status} (${name}) for ${what}${tried}.`,
      'This is on the AWS side; run the command again in a moment.',
    )
  }

  return undefined
}

/** AWS refused the request itself (it exists, it is being deleted, it is invalid), or an error we do not know. */
function refused({error, context, name, code, message, what}: Failure): SecretsError {
  if (name === 'ResourceExistsException') {
    return new ConflictError(`${context.resource ?? 'The resource'} already exists (${context.action}).`)
  }

  if (name === 'InvalidRequestException' && SCHEDULED_FOR_DELETION.test(message)) {
    return new ConflictError(
      `${context.resource ?? 'The secret'} is scheduled for deletion.`,
      context.resource ? `Run "secrets restore ${context.resource}" to cancel the deletion first.` : undefined,
    )
  }

  // Lambda: the RevisionId sent is no longer the function's (it changed since it was read), or
  // another update of the function is still in progress. Either way nothing was changed.
  if (name === 'PreconditionFailedException' || name === 'ResourceConflictException') {
    return new ConflictError(`${context.resource ?? 'The resource'} changed or is being updated by someone else (${context.action}: ${name}); nothing was changed.`)
  }

  if (/region is missing/i.test(message)) {
    return new UsageError('No AWS region is configured.', 'Pass --region, set AWS_REGION, or set a region in your profile.')
  }

  if (
    name === 'InvalidParameterException' ||
    name === 'ValidationException' ||
    name === 'InvalidRequestException' ||
    name === 'ParameterLimitExceeded' ||
    name === 'LimitExceededException'
  ) {
    return new SecretsError(`AWS refused ${what}: ${name}: ${message}`, {
      code: name,
      exitCode: name === 'LimitExceededException' ? ExitCode.conflict : ExitCode.usage,
    })
  }

  return new SecretsError(`Unexpected error from ${what}: ${name}${code ? ` (${code})` : ''}.`, {
    code: 'UNEXPECTED',
    exitCode: ExitCode.unexpected,
    cause: error,
  })
}

/**
 * AWS says why access was denied in its message ("because no identity-based policy allows ...",
 * "with an explicit deny in a service control policy"). These messages name actions and ARNs only.
 */
export function deniedBecause(message: string): string | undefined {
  const explicit = /explicit deny in (?:an? )?([\w -]+?) policy/i.exec(message)
  if (explicit) {
    const kind = explicit[1].toLowerCase()
    return `explicitly denied by ${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} policy`
  }
  const implicit = /no ([\w -]+?) policy allows/i.exec(message)
  if (implicit) return `no ${implicit[1].toLowerCase()} policy allows it`
  if (/security token .* invalid|UnrecognizedClient|InvalidClientTokenId/i.test(message)) return 'the credentials are not valid for this account or endpoint'
  if (/expired/i.test(message)) return 'the credentials have expired'
  return undefined
}

/** Why the SDK's credential chain gave nothing, from its error (which names profiles, never keys). */
export function credentialProblem(error: unknown): CredentialProblem {
  const message = (error as {message?: string})?.message ?? ''
  if (/could not be found|profile .* not found/i.test(message)) return 'the profile does not exist'
  if (/sso|token/i.test(message) && /expired|refresh|invalid|not found/i.test(message)) return 'the SSO session is missing or expired'
  return 'no credentials could be loaded'
}

/** What stands in a message where the value of a request was. */
export const VALUE_MARKER = '[secret value]'

/**
 * The message with every form of the value a request body could quote (text, JSON-escaped, base64) cut
 * out. Every occurrence of every form is found in the message as it came, before anything is replaced,
 * so a short value is never looked for inside a marker ("v" in "[secret value]") and no marker is cut.
 */
export function redactValue(message: string, value: SecretValue | undefined): string {
  if (value === undefined || message === '') return message
  const text = value.text
  const forms = [Buffer.from(value.bytes).toString('base64')]
  if (text !== undefined) forms.push(text, JSON.stringify(text).slice(1, -1))
  const spans: Array<[number, number]> = []
  for (const form of forms) {
    if (form.length === 0) continue
    for (let at = message.indexOf(form); at !== -1; at = message.indexOf(form, at + 1)) spans.push([at, at + form.length])
  }

  if (spans.length === 0) return message
  spans.sort((a, b) => a[0] - b[0])
  let redacted = ''
  let end = 0
  for (const [index, [start, stop]] of spans.entries()) {
    // Overlapping or touching occurrences become one marker.
    if (index === 0 || start > end) redacted += message.slice(end, start) + VALUE_MARKER
    end = Math.max(end, stop)
  }

  return redacted + message.slice(end)
}
