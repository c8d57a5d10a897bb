/**
 * The only place an AWS SDK client is constructed. Every SDK package is imported here with a dynamic
 * import, so commands that never call AWS (`--help`, `--version`, `grant` with explicit account and
 * region) never pay for loading it.
 */
import type {SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import type {SSMClient} from '@aws-sdk/client-ssm'
import type {STSClient} from '@aws-sdk/client-sts'
import {userInfo} from 'node:os'

import {endpointSetting, isNotAwsAnswer, notAwsEndpointError} from '../core/endpoint.js'
import {AccessDeniedError} from '../core/errors.js'
import {printable} from '../core/printable.js'
import {applyDeadline} from './deadline.js'
import {isThrottling, quotaGroupOf, quotaPacer} from './quotas.js'

/** Where and as whom to call AWS. Unset fields fall back to the SDK's own chain (env, shared config). */
export interface AwsContext {
  profile?: string
  region?: string
  /** Overrides every service's endpoint; AWS_ENDPOINT_URL(_<SERVICE>) work natively when this is unset. */
  endpointUrl?: string
  /**
   * An IAM role to assume through STS (an environment's `role:` in secrets.yml). The base credentials
   * for AssumeRole come from `profile` when set, else from the SDK's default chain.
   */
  role?: string
}

/**
 * The SDK's default of 3 attempts gives up too early under throttling during a migration. Retries
 * are the SDK's standard mode: the rate is set by the pacer of src/aws/quotas.ts, per quota group,
 * not by adaptive mode's limiter, which is per client across all operations and, once throttled, holds
 * every later call of the client (docs/PERFORMANCE.md has the figures). AWS_MAX_ATTEMPTS and the
 * profile's `max_attempts` still win when set, because an explicit value here would override them.
 */
const DEFAULT_MAX_ATTEMPTS = 8

/**
 * API calls made by this process, counted on every client by a middleware: `calls` per operation
 * (once per SDK command) and `attempts` (HTTP requests, retries included). The benchmark reads the
 * report printed at exit when SECRETS_REPORT_API_CALLS=1; tests read `apiCalls` directly.
 */
export const apiCalls = {
  calls: {} as Record<string, number>,
  attempts: 0,
  get total(): number {
    return Object.values(this.calls).reduce((sum, count) => sum + count, 0)
  },
  reset(): void {
    this.calls = {}
    this.attempts = 0
  },
}

let reportRegistered = false
function registerReport(): void {
  if (reportRegistered || process.env.SECRETS_REPORT_API_CALLS !== '1') return
  reportRegistered = true
  process.on('exit', () => {
    process.stderr.write(`secrets-api-calls ${JSON.stringify({total: apiCalls.total, attempts: apiCalls.attempts, calls: apiCalls.calls})}\n`)
  })
}

/** Other observers of every client built (tests add middleware with it). */
type ClientObserver = (client: {middlewareStack: {add: (...args: never[]) => void}}, service: string) => void
const observers: ClientObserver[] = []
export function observeClients(observer: ClientObserver): void {
  observers.push(observer)
}

function requestTimeoutMs(): number {
  const configured = Number(process.env.SECRETS_REQUEST_TIMEOUT_MS)
  return Number.isFinite(configured) && configured > 0 ? configured : 30_000
}

function commonConfig(context: AwsContext) {
  const configuredAttempts = process.env.AWS_MAX_ATTEMPTS !== undefined
  return {
    ...(context.region ? {region: context.region} : {}),
    // With a role, the profile only signs the AssumeRole call; the client itself uses the role.
    ...(context.role ? {credentials: assumedRoleCredentials(context)} : context.profile ? {profile: context.profile} : {}),
    ...(context.endpointUrl ? {endpoint: context.endpointUrl} : {}),
    retryMode: 'standard',
    // Without it each call resolves the client's whole middleware stack again (about 40 KB of objects a
    // call, alive for its round trip, so often promoted to the old generation: most of a long
    // migration's memory growth). Every middleware of these clients is added when they are built
    // (observe, below), before their first call, which is what the SDK asks of this option.
    cacheMiddleware: true,
    ...(configuredAttempts ? {} : {maxAttempts: DEFAULT_MAX_ATTEMPTS}),
    // Fail fast on a dead endpoint instead of hanging a pipeline: connection within 5 s, answer within 30 s
    // (SECRETS_REQUEST_TIMEOUT_MS, milliseconds, replaces the 30 s: a slow link, or the fault tests).
    // Without throwOnRequestTimeout the handler only logs a warning at 30 s and keeps waiting forever.
    requestHandler: {connectionTimeout: 5000, requestTimeout: requestTimeoutMs(), throwOnRequestTimeout: true},
  } as const
}

type Middleware = (next: (args: unknown) => Promise<unknown>, context: {commandName?: string}) => (args: unknown) => Promise<unknown>
interface MiddlewareStack {
  add(middleware: Middleware, options: {step: string; name: string; priority?: 'high' | 'normal' | 'low'}): void
}

function observe<T extends {middlewareStack: unknown}>(client: T, service: string, context: AwsContext): T {
  registerReport()
  applyDeadline(client as unknown as {config: {requestHandler?: unknown}}, requestTimeoutMs())
  const stack = client.middlewareStack as MiddlewareStack
  stack.add(
    (next, context) => (args) => {
      const operation = `${service}:${(context.commandName ?? 'Unknown').replace(/Command$/, '')}`
      apiCalls.calls[operation] = (apiCalls.calls[operation] ?? 0) + 1
      return next(args)
    },
    {step: 'initialize', name: 'secretsCountCalls'},
  )
  // The deserialize step runs inside the retry loop: once per HTTP attempt.
  stack.add(
    (next) => (args) => {
      apiCalls.attempts++
      return next(args)
    },
    {step: 'deserialize', name: 'secretsCountAttempts'},
  )
  // A named profile that yields no credentials is that profile's problem: say which and where it was named
  // (the SDK's own error names no profile, and the generic advice "set AWS_PROFILE" misleads when it is set).
  const profile = context.role ? undefined : (context.profile ?? process.env.AWS_PROFILE)
  if (profile) {
    stack.add(
      (next) => async (args) => {
        try {
          return await next(args)
        } catch (error) {
          if ((error as {name?: string})?.name !== 'CredentialsProviderError') throw error
          throw profileWithoutCredentials(profile, context.profile ? '--profile or secrets.yml' : 'AWS_PROFILE')
        }
      },
      {step: 'initialize', name: 'secretsProfileWithoutCredentials'},
    )
  }

  // An answer in no AWS protocol is the endpoint's fault, said once with the setting that chose it; the
  // error carries no HTTP metadata, so the SDK does not retry it.
  stack.add(
    (next) => async (args) => {
      try {
        return await next(args)
      } catch (error) {
        if (!isNotAwsAnswer(error)) throw error
        const response = (error as {$response?: {statusCode?: number; headers?: Record<string, string>}}).$response
        throw notAwsEndpointError(
          {service, status: response?.statusCode, contentType: response?.headers?.['content-type']},
          endpointSetting(process.env, context.endpointUrl, service),
        )
      }
    },
    {step: 'deserialize', name: 'secretsNotAwsAnswer', priority: 'high'},
  )
  // Each attempt (retries too: they count against the quota) waits for its quota group's turn.
  const pacer = quotaPacer()
  if (pacer) {
    stack.add(
      (next, {commandName}) =>
        async (args) => {
          const group = quotaGroupOf(service, (commandName ?? '').replace(/Command$/, ''))
          if (!group) return next(args)
          await pacer.take(group)
          try {
            const output = await next(args)
            pacer.answered(group)
            return output
          } catch (error) {
            if (isThrottling(error)) pacer.throttled(group)
            throw error
          }
        },
      // High priority: outside the deserializer (whose errors it reads), inside the retry loop.
      {step: 'deserialize', name: 'secretsQuotaPacing', priority: 'high'},
    )
  }
  for (const observer of observers) observer(client as never, service)
  return client
}

function profileWithoutCredentials(profile: string, namedBy: string): AccessDeniedError {
  return new AccessDeniedError(
    `The AWS profile "${printable(profile, 64)}" (from ${namedBy}) gave no credentials.`,
    '"aws configure list-profiles" lists the profiles that exist; for an SSO profile run "aws sso login --profile NAME"; "secrets doctor" shows what each part of the setup found.',
  )
}

export async function secretsManagerClient(context: AwsContext): Promise<SecretsManagerClient> {
  const sdk = await import('@aws-sdk/client-secrets-manager')
  return observe(new sdk.SecretsManagerClient(commonConfig(context)), 'secretsmanager', context)
}

export async function ssmClient(context: AwsContext): Promise<SSMClient> {
  const sdk = await import('@aws-sdk/client-ssm')
  return observe(new sdk.SSMClient(commonConfig(context)), 'ssm', context)
}

export async function stsClient(context: AwsContext): Promise<STSClient> {
  const sdk = await import('@aws-sdk/client-sts')
  return observe(new sdk.STSClient(commonConfig(context)), 'sts', context)
}

export async function lambdaClient(context: AwsContext) {
  const sdk = await import('@aws-sdk/client-lambda')
  return observe(new sdk.LambdaClient(commonConfig(context)), 'lambda', context)
}

export async function ecsClient(context: AwsContext) {
  const sdk = await import('@aws-sdk/client-ecs')
  return observe(new sdk.ECSClient(commonConfig(context)), 'ecs', context)
}

export async function iamClient(context: AwsContext) {
  const sdk = await import('@aws-sdk/client-iam')
  return observe(new sdk.IAMClient(commonConfig(context)), 'iam', context)
}

interface TemporaryCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
  expiration?: Date
}

/** Renewed this long before they expire, so a long migration never signs with expired credentials. */
const RENEW_BEFORE_MS = 5 * 60_000
const assumedRoles = new Map<string, () => Promise<TemporaryCredentials>>()

/**
 * A memoised credentials provider that assumes `context.role` with STS AssumeRole (what the SDK's
 * fromTemporaryCredentials does, without the extra package): one AssumeRole per role per run, renewed
 * near expiry. Shared by every client of the same context, so a command assumes each role once.
 */
function assumedRoleCredentials(context: AwsContext): () => Promise<TemporaryCredentials> {
  const key = JSON.stringify([context.role, context.profile, context.region, context.endpointUrl])
  const existing = assumedRoles.get(key)
  if (existing) return existing
  let current: TemporaryCredentials | undefined
  let pending: Promise<TemporaryCredentials> | undefined
  const provider = async (): Promise<TemporaryCredentials> => {
    if (current && (!current.expiration || current.expiration.getTime() - Date.now() > RENEW_BEFORE_MS)) return current
    pending ??= assumeRole(context).finally(() => {
      pending = undefined
    })
    current = await pending
    return current
  }

  assumedRoles.set(key, provider)
  return provider
}

async function assumeRole(context: AwsContext): Promise<TemporaryCredentials> {
  const role = context.role as string
  const [sdk, {translateAwsError}] = await Promise.all([import('@aws-sdk/client-sts'), import('./errors.js')])
  const client = await stsClient({...context, role: undefined})
  let output
  try {
    output = await client.send(new sdk.AssumeRoleCommand({RoleArn: role, RoleSessionName: roleSessionName()}))
  } catch (error) {
    const failure = translateAwsError(error, {action: 'sts:AssumeRole', resource: role})
    failure.message = `Could not assume ${role}: ${failure.message}`
    throw failure
  }

  const credentials = output.Credentials
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) throw new Error(`STS AssumeRole returned no credentials for ${role}`)
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    sessionToken: credentials.SessionToken,
    expiration: credentials.Expiration,
  }
}

/**
 * `secrets-cli-<os user>`: CloudTrail then says which tool and which person acted. STS allows
 * [\w+=,.@-] and 2 to 64 characters.
 */
export function roleSessionName(user = currentUser()): string {
  const safe = user.replaceAll(/[^\w+=,.@-]/g, '-')
  return `secrets-cli-${safe || 'user'}`.slice(0, 64)
}

function currentUser(): string {
  try {
    return userInfo().username
  } catch {
    // No passwd entry (some containers): fall back to the environment.
    return process.env.USER ?? process.env.USERNAME ?? 'user'
  }
}

const callerAccounts = new Map<string, Promise<string>>()

/** The account of the credentials `context` resolves to (STS GetCallerIdentity), asked once per run per context. */
export function callerAccount(context: AwsContext): Promise<string> {
  const key = JSON.stringify([context.role, context.profile, context.region, context.endpointUrl])
  let account = callerAccounts.get(key)
  if (!account) {
    account = (async () => {
      const [sdk, {translateAwsError}] = await Promise.all([import('@aws-sdk/client-sts'), import('./errors.js')])
      const client = await stsClient(context)
      try {
        const identity = await client.send(new sdk.GetCallerIdentityCommand({}))
        if (!identity.Account) throw new Error('STS GetCallerIdentity returned no account')
        return identity.Account
      } catch (error) {
        throw translateAwsError(error, {action: 'sts:GetCallerIdentity'})
      }
    })()
    callerAccounts.set(key, account)
  }

  return account
}
