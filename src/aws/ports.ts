/**
 * Builds the ports a service receives (readers, sources) for one AwsContext. The base command imports
 * this module lazily, and each reader's SDK package is imported here on first use, so `--help` loads
 * no SDK and a command loads only the clients it calls.
 */
import type {AuditArea} from '../core/audit/findings.js'
import type {AuditReaders, IdentityReader, PermissionProbes} from '../core/readers.js'
import type {SecretStore} from '../stores/secret-store.js'
import type {CreateDefaults} from '../stores/secrets-manager-store.js'
import type {EnvironmentSource, FunctionFilter} from '../stores/environment-source.js'
import type {SsmSource} from '../stores/ssm-source.js'
import {type AwsContext, callerAccount as stsCallerAccount, ecsClient, iamClient, lambdaClient, secretsManagerClient, ssmClient, stsClient} from './clients.js'

/** Where the SDK's default chain will take credentials from (the environment, ~/.aws; names only). */
export {credentialSource} from './credential-source.js'

/** Secrets Manager behind the SecretStore interface, with what new secrets of the environment get. */
export async function secretsManagerStore(context: AwsContext, defaults: CreateDefaults = {}): Promise<SecretStore> {
  const [client, {SecretsManagerStore}] = await Promise.all([secretsManagerClient(context), import('../stores/secrets-manager-store.js')])
  return new SecretsManagerStore(client, defaults)
}

/** The account of the credentials a context resolves to (STS GetCallerIdentity, once per run per context). */
export function callerAccount(context: AwsContext): Promise<string> {
  return stsCallerAccount(context)
}

/** The readers of the requested areas, and the region they read (from the first client's configuration). */
export async function auditReaders(context: AwsContext, areas: readonly AuditArea[]): Promise<{readers: AuditReaders; region(): Promise<string | undefined>}> {
  // IAM's role findings name the workloads that run as each role, so --only iam lists them too.
  const env = areas.includes('env') || areas.includes('iam')
  const [lambda, ecs, ssm, iam, secretPolicies] = await Promise.all([
    env ? Promise.all([lambdaClient(context), import('./readers/lambda.js')]) : undefined,
    env ? Promise.all([ecsClient(context), import('./readers/ecs.js')]) : undefined,
    areas.includes('ssm') ? Promise.all([ssmClient(context), import('./readers/ssm-inventory.js')]) : undefined,
    areas.includes('iam') ? Promise.all([iamClient(context), import('./readers/iam.js')]) : undefined,
    areas.includes('iam') ? Promise.all([secretsManagerClient(context), import('./readers/secret-policies.js')]) : undefined,
  ])
  const first = lambda?.[0] ?? ssm?.[0] ?? ecs?.[0] ?? iam?.[0]
  return {
    readers: {
      ...(lambda ? {lambda: new lambda[1].AwsLambdaReader(lambda[0])} : {}),
      ...(ecs ? {ecs: new ecs[1].AwsEcsReader(ecs[0])} : {}),
      ...(ssm ? {ssm: new ssm[1].AwsSsmInventoryReader(ssm[0])} : {}),
      ...(iam ? {iam: new iam[1].AwsIamReader(iam[0])} : {}),
      ...(secretPolicies ? {secretPolicies: new secretPolicies[1].AwsSecretPolicyReader(secretPolicies[0])} : {}),
    },
    region: async () => first?.config.region().catch(() => undefined),
  }
}

/** Region (no call) and account (STS, once per run per context) of a context. */
export async function identityReader(context: AwsContext): Promise<IdentityReader> {
  const [client, {AwsIdentityReader}] = await Promise.all([stsClient(context), import('./readers/identity.js')])
  return new AwsIdentityReader(client, context)
}

/** Doctor's probes and the store whose listing it checks, sharing one Secrets Manager client. */
export async function doctorPorts(context: AwsContext): Promise<{probes: PermissionProbes; store: SecretStore}> {
  const [sts, secretsManager, ssm, {AwsPermissionProbes}, {SecretsManagerStore}] = await Promise.all([
    stsClient(context),
    secretsManagerClient(context),
    ssmClient(context),
    import('./readers/probes.js'),
    import('../stores/secrets-manager-store.js'),
  ])
  return {probes: new AwsPermissionProbes({sts, secretsManager, ssm}), store: new SecretsManagerStore(secretsManager)}
}

/** SSM Parameter Store as a migration source. */
export async function ssmSource(context: AwsContext): Promise<SsmSource> {
  const [client, {SsmSource}] = await Promise.all([ssmClient(context), import('../stores/ssm-source.js')])
  return new SsmSource(client)
}

/**
 * A Lambda function's (or every function's) or a task definition family's environment variables as a
 * migration source; `write` adds the one write --remove-from-source makes (Lambda only).
 */
export async function environmentSource(
  context: AwsContext,
  workload: {kind: 'lambda' | 'ecs'; name: string; all?: FunctionFilter; write?: boolean},
): Promise<EnvironmentSource> {
  const sources = await import('../stores/environment-source.js')
  if (workload.kind === 'lambda') {
    const [client, {AwsLambdaReader, AwsLambdaEnvironmentWriter}] = await Promise.all([lambdaClient(context), import('./readers/lambda.js')])
    const writer = workload.write ? new AwsLambdaEnvironmentWriter(client) : undefined
    const reader = new AwsLambdaReader(client)
    return workload.all ? new sources.AllFunctionsEnvironmentSource(reader, workload.all, writer) : new sources.LambdaEnvironmentSource(reader, workload.name, writer)
  }

  const [client, {AwsEcsReader}] = await Promise.all([ecsClient(context), import('./readers/ecs.js')])
  return new sources.EcsEnvironmentSource(new AwsEcsReader(client), workload.name)
}
