/**
 * The read ports: what audit, doctor and grant need to know about an account, in the core's own
 * types. Implemented against AWS in src/aws/readers/ (built by src/aws/ports.ts) and in memory in
 * test/aws/memory-readers.ts; one contract suite (test/aws/readers-contract.ts) runs against both.
 * A service receives them as arguments and never sees an SDK type.
 *
 * Every method that calls AWS rejects with a typed error (src/core/errors.ts) whose `aws` detail
 * keeps the SDK error's name, as the stores do. Listings are async iterables of pages, so a caller
 * can report progress and keep what it read before a page was denied.
 */
import type {LambdaFunctionInput, TaskDefinitionInput} from './audit/inspect.js'
import type {PolicyInput} from './audit/inspect-iam.js'

/** A Lambda function's `$LATEST` environment, as ListFunctions returns it. */
export interface LambdaFunctionEnvironment extends LambdaFunctionInput {
  /** Set when the variables could not be decrypted (a customer KMS key the caller may not use): the error code. */
  environmentError?: string
  /** The function's ARN (ListTags takes it). */
  arn?: string
  /** The execution role's ARN. */
  role?: string
  /** GetFunctionConfiguration's RevisionId: what UpdateFunctionConfiguration checks against. */
  revisionId?: string
}

export interface LambdaReader {
  /** Every function of the region (lambda:ListFunctions); an aborted `signal` stops the listing (ListingStoppedError). */
  functions(options?: {signal?: AbortSignal}): AsyncIterable<LambdaFunctionEnvironment[]>
  /** One function's `$LATEST` environment (lambda:GetFunctionConfiguration); rejects with NotFoundError when there is no such function. */
  configuration(name: string): Promise<LambdaFunctionEnvironment>
}

/**
 * The one write to a Lambda function `secrets` makes (migrate --remove-from-source): its environment
 * variables, nothing else of its configuration.
 */
export interface LambdaEnvironmentWriter {
  /**
   * lambda:UpdateFunctionConfiguration with `Environment.Variables` exactly `variables` (every other
   * setting is left as it is) and `RevisionId`: rejects with ConflictError when the function changed
   * since that revision was read (PreconditionFailedException) or another update is in progress.
   */
  replaceVariables(name: string, variables: Record<string, string>, revisionId: string): Promise<void>
}

/** The function names carrying a tag, for --all-functions --tag (lambda:ListTags). */
export interface LambdaTagReader {
  tags(arn: string): Promise<Record<string, string>>
}

export interface EcsReader {
  /** The names of the task definition families with an ACTIVE revision (ecs:ListTaskDefinitionFamilies). */
  families(): AsyncIterable<string[]>
  /** The latest ACTIVE revision of a family (ecs:DescribeTaskDefinition); undefined when there is none, or no such family. */
  latest(family: string): Promise<TaskDefinitionInput | undefined>
}

/** A parameter as DescribeParameters lists it: no value. */
export interface ParameterSummary {
  name: string
  /** String, StringList or SecureString; absent when AWS does not say. */
  type?: string
}

export interface SsmInventoryReader {
  /** Every parameter of the region, metadata only (ssm:DescribeParameters). */
  parameters(): AsyncIterable<ParameterSummary[]>
  /**
   * Values of at most {@link SSM_VALUES_PER_READ} parameters, never decrypted (ssm:GetParameters with
   * WithDecryption false). Names AWS does not answer are absent from the map.
   */
  values(names: readonly string[]): Promise<Map<string, string>>
}

/** SSM's limit on names per GetParameters call. */
export const SSM_VALUES_PER_READ = 10

/** One page of iam:GetAccountAuthorizationDetails (roles, users, groups, customer-managed policies). */
export interface IamAuthorizationPage {
  /** Default version of each customer-managed policy. */
  managedPolicies: Array<PolicyInput & {arn: string}>
  roles: Array<{name: string; inlinePolicies: PolicyInput[]; attachedPolicyArns: string[]}>
  /** `groups`: the groups the user is a member of. */
  users: Array<{name: string; inlinePolicies: PolicyInput[]; attachedPolicyArns: string[]; groups: string[]}>
  groups: Array<{name: string; inlinePolicies: PolicyInput[]; attachedPolicyArns: string[]}>
}

export interface IamReader {
  authorizationDetails(): AsyncIterable<IamAuthorizationPage>
}

/** A secret as ListSecrets names it: never its value. */
export interface SecretSummary {
  name: string
  arn?: string
}

/** The secrets of a region and their resource policies (audit's `iam` area). */
export interface SecretPolicyReader {
  /** Every secret of the region, names and ARNs only (secretsmanager:ListSecrets). */
  secrets(): AsyncIterable<SecretSummary[]>
  /**
   * A secret's resource policy as JSON text, by ARN or name (secretsmanager:GetResourcePolicy);
   * undefined when it has none. Rejects with NotFoundError when the secret is gone.
   */
  resourcePolicy(secretId: string): Promise<string | undefined>
}

/** Credentials the SDK's chain resolved, as far as they may be shown: never the secret key nor the token. */
export interface ResolvedCredentials {
  accessKeyId: string
  /** True when a session token came with them. */
  temporary: boolean
  expiration?: Date
}

export type CredentialKind = 'environment' | 'profile' | 'sso' | 'assume-role' | 'process' | 'web-identity' | 'container' | 'instance' | 'none'

export interface CredentialSource {
  kind: CredentialKind
  /** Where the SDK takes them from, e.g. `profile dev (--profile)` or `AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY`. */
  description: string
  profile?: string
}

export type CredentialProblem = 'the profile does not exist' | 'the SSO session is missing or expired' | 'no credentials could be loaded'

export interface CallerIdentity {
  account?: string
  arn?: string
}

export interface IdentityReader {
  /** The region the SDK's configuration chain resolves (no call); undefined when none is configured. */
  region(): Promise<string | undefined>
  /** The caller's account (sts:GetCallerIdentity, asked once per run per context). */
  account(): Promise<string>
}

/**
 * Doctor's probes: one cheap call each, to learn whether it is allowed. Each resolves when the call
 * succeeded and rejects with the typed error when it did not; a value read is dropped, never returned.
 */
export interface PermissionProbes {
  /** Resolves the credentials locally, without a call. */
  credentials(): Promise<{credentials: ResolvedCredentials} | {problem: CredentialProblem}>
  region(): Promise<string | undefined>
  /** sts:GetCallerIdentity. */
  identity(): Promise<CallerIdentity>
  /** secretsmanager:ListSecrets with one result. */
  listSecrets(): Promise<void>
  /** ssm:DescribeParameters with one result. */
  describeParameters(): Promise<void>
  /** secretsmanager:BatchGetSecretValue of one secret; a per-secret error rejects like a denied call. */
  batchGetSecretValue(name: string): Promise<void>
  /** secretsmanager:GetSecretValue (AWSCURRENT). */
  getSecretValue(name: string): Promise<void>
  /** secretsmanager:DescribeSecret. */
  describeSecret(name: string): Promise<void>
}

/** What `secrets audit` reads, one reader per kind of resource; an absent reader's area is not read. */
export interface AuditReaders {
  lambda?: LambdaReader
  ecs?: EcsReader
  ssm?: SsmInventoryReader
  iam?: IamReader
  /** Secrets' resource policies, read with the `iam` area. */
  secretPolicies?: SecretPolicyReader
}
