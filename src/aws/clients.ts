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

/** Observers of every client built (the benchmark counts API calls with one). */
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

function observe<T extends {middlewareStack: unknown}>(client: T, service: string): T {
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
