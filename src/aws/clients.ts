/**
 * The only place an AWS SDK client is constructed. Every SDK package is imported here with a dynamic
 * import, so commands that never call AWS (`--help`, `--version`, `grant` with explicit account and
 * region) never pay for loading it.
 */
import type {SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import type {SSMClient} from '@aws-sdk/client-ssm'
import type {STSClient} from '@aws-sdk/client-sts'

/** Where and as whom to call AWS. Unset fields fall back to the SDK's own chain (env, shared config). */
export interface AwsContext {
  profile?: string
  region?: string
  /** Overrides every service's endpoint; AWS_ENDPOINT_URL(_<SERVICE>) work natively when this is unset. */
  endpointUrl?: string
}

/**
 * The SDK's default of 3 attempts gives up too early under throttling during a migration; adaptive
 * mode adds client-side rate limiting on top of the retries. AWS_MAX_ATTEMPTS and the profile's
 * `max_attempts` still win when set, because an explicit value here would override them.
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

function commonConfig(context: AwsContext) {
  const configuredAttempts = process.env.AWS_MAX_ATTEMPTS !== undefined
  return {
    ...(context.region ? {region: context.region} : {}),
    ...(context.profile ? {profile: context.profile} : {}),
    ...(context.endpointUrl ? {endpoint: context.endpointUrl} : {}),
    retryMode: 'adaptive',
    ...(configuredAttempts ? {} : {maxAttempts: DEFAULT_MAX_ATTEMPTS}),
    // Fail fast on a dead endpoint instead of hanging a pipeline: connection within 5 s, answer within 30 s.
    requestHandler: {connectionTimeout: 5000, requestTimeout: 30_000},
  } as const
}

type Middleware = (next: (args: unknown) => Promise<unknown>, context: {commandName?: string}) => (args: unknown) => Promise<unknown>
interface MiddlewareStack {
  add(middleware: Middleware, options: {step: string; name: string}): void
}

function observe<T extends {middlewareStack: unknown}>(client: T, service: string): T {
  registerReport()
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
  for (const observer of observers) observer(client as never, service)
  return client
}

export async function secretsManagerClient(context: AwsContext): Promise<SecretsManagerClient> {
  const sdk = await import('@aws-sdk/client-secrets-manager')
  return observe(new sdk.SecretsManagerClient(commonConfig(context)), 'secretsmanager')
}

export async function ssmClient(context: AwsContext): Promise<SSMClient> {
  const sdk = await import('@aws-sdk/client-ssm')
  return observe(new sdk.SSMClient(commonConfig(context)), 'ssm')
}

export async function stsClient(context: AwsContext): Promise<STSClient> {
  const sdk = await import('@aws-sdk/client-sts')
  return observe(new sdk.STSClient(commonConfig(context)), 'sts')
}

export async function lambdaClient(context: AwsContext) {
  const sdk = await import('@aws-sdk/client-lambda')
  return observe(new sdk.LambdaClient(commonConfig(context)), 'lambda')
}

export async function ecsClient(context: AwsContext) {
  const sdk = await import('@aws-sdk/client-ecs')
  return observe(new sdk.ECSClient(commonConfig(context)), 'ecs')
}

export async function iamClient(context: AwsContext) {
  const sdk = await import('@aws-sdk/client-iam')
  return observe(new sdk.IAMClient(commonConfig(context)), 'iam')
}
