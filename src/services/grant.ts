import pLimit from 'p-limit'

import type {Scope, SecretAddress} from '../core/address.js'
import {ExitCode, NotFoundError, SecretsError, UsageError} from '../core/errors.js'
import {
  assertAccount,
  assertRegion,
  buildArnPolicy,
  buildPolicy,
  type Placement,
  type PolicyDocument,
  PSEUDO_PLACEMENT,
  partitionOfRegion,
  urlSuffixOfPartition,
} from '../core/iam-policy.js'
import {type NeedsManifest, parseNeedsManifest} from '../core/needs-manifest.js'
import {type PolicyFormat, renderPolicies, usesPseudoParameters} from '../core/policy-renderers.js'
import type {Runtime, Via} from '../core/runtime-snippets.js'
import type {CachePlan} from '../core/runtime-wiring.js'
import {renderWired} from '../core/wiring-renderers.js'
import {type RequestedFunction, type RotationLookup, wire} from './grant-runtime.js'
import type {IdentityReader} from '../core/readers.js'
import {parseSecretArn} from '../core/secret-ref.js'
import type {SecretStore} from '../stores/secret-store.js'
import {readInputFile} from './input-file.js'

/** What to grant, already validated: no flags, no AWS. */
export interface GrantRequest {
  scope: Scope
  functions: RequestedFunction[]
  /** --max-age: the handler's cache age in seconds (undefined: the default). */
  maxAge?: number
  /** --via: Powertools' library (the default) or the Lambda extension. */
  via?: Via
  /** Declared-needs mode: output keyed by function name. */
  keyed: boolean
  /** `--task`: the one "function" is an ECS task definition family, granted through its task role. */
  task?: boolean
  describe: boolean
  kmsKeyArns: string[]
  format: PolicyFormat
  /** Values given explicitly; what is missing is resolved from AWS or left to CloudFormation. */
  partition?: string
  region?: string
  account?: string
}

export interface GrantResult {
  format: PolicyFormat
  environment: string
  service: string
  /** Literal values, or CloudFormation pseudo-parameters for the cloudformation and sam formats. */
  partition: string
  region: string
  account: string
  functions: GrantedFunction[]
  /** The rendered document, exactly as printed on stdout. */
  output: string
  /** With --runtime: one line per secret whose cache outlives its rotation's overlap. */
  warnings?: string[]
}

export interface GrantedFunction {
  function: string
  secrets: string[]
  policy: PolicyDocument
  /** `--task`: `function` names an ECS task definition family. */
  task?: true
  /** With --runtime: the variables naming its secrets, the handler (a task's module), and the cache plan. */
  runtime?: Runtime
  environment?: Record<string, string>
  handler?: string
  module?: string
  cache?: Pick<CachePlan, 'maxAge' | 'reason' | 'rotation' | 'warnings'>
}

export type {RotationLookup} from './grant-runtime.js'
export {rotationLookup} from './grant-runtime.js'

/** Where the region and the account come from when they are not given. */
export interface PlacementSource {
  region(): Promise<string>
  account(): Promise<string>
}

/**
 * Builds and renders one policy per function. AWS is asked (through `source`, created only then) for
 * the region and the account only when they are neither given nor left to CloudFormation.
 */
export async function grantPolicies(request: GrantRequest, source: () => Promise<PlacementSource>, rotation?: RotationLookup): Promise<GrantResult> {
  if ((request.maxAge !== undefined || request.via !== undefined) && !request.functions.some((fn) => fn.runtime !== undefined)) {
    throw new UsageError('--max-age and --via shape the handler --runtime prints: add --runtime nodejs|python.')
  }

  const placement = await resolvePlacement(request, source)
  const wirings = await wire(request, rotation)
  const functions: GrantedFunction[] = request.functions.map((fn, i) => {
    const wiring = wirings?.[i]
    return {
      function: fn.functionName,
      secrets: fn.secrets.map((address) => address.fullName),
      policy: buildPolicy(
        {functionName: fn.functionName, scope: request.scope, secrets: fn.secrets, describe: request.describe, kmsKeyArns: request.kmsKeyArns},
        placement,
      ),
      ...(request.task ? {task: true as const} : {}),
      ...(wiring
        ? {runtime: wiring.runtime, environment: wiring.environment, ...(request.task ? {module: wiring.code} : {handler: wiring.code}), cache: wiring.plan}
        : {}),
    }
  })
  const policies = functions.map((fn, i) => {
    const {templateKey} = request.functions[i]
    return {functionName: fn.function, ...(templateKey === undefined ? {} : {templateKey}), env: request.scope.env, service: request.scope.service, document: fn.policy}
  })
  const options = {keyed: request.keyed, ...(request.task ? {task: true} : {})}
  const output = wirings ? renderWired(request.format, policies, wirings, options) : renderPolicies(request.format, policies, options)
  const warnings = wirings ? [...new Set(wirings.flatMap((wiring) => wiring.plan.warnings))] : undefined
  return {
    ...(warnings ? {warnings} : {}),
    format: request.format,
    environment: request.scope.env,
    service: request.scope.service,
    partition: placement.partition,
    region: placement.region,
    account: placement.account,
    functions,
    output,
  }
}

/** Explicit values win; CloudFormation formats leave the rest to pseudo-parameters; others ask AWS. */
async function resolvePlacement(request: GrantRequest, source: () => Promise<PlacementSource>): Promise<Placement> {
  if (usesPseudoParameters(request.format)) {
    return {
      partition: request.partition ?? PSEUDO_PLACEMENT.partition,
      region: request.region ?? PSEUDO_PLACEMENT.region,
      account: request.account ?? PSEUDO_PLACEMENT.account,
      urlSuffix: request.partition ? urlSuffixOfPartition(request.partition) : PSEUDO_PLACEMENT.urlSuffix,
    }
  }

  let aws: PlacementSource | undefined
  const ask = async () => {
    aws ??= await source()
    return aws
  }

  let {region} = request
  if (region === undefined) {
    region = await (await ask()).region()
    assertRegion(region, 'from the AWS configuration')
  }

  let {account} = request
  if (account === undefined) {
    account = await (await ask()).account()
    assertAccount(account)
  }

  const partition = request.partition ?? partitionOfRegion(region)
  return {partition, region, account, urlSuffix: urlSuffixOfPartition(partition)}
}

/** Region from the SDK's configuration chain (no network) and account from STS GetCallerIdentity, as errors a user can act on. */
export function placementSourceOf(identity: IdentityReader): PlacementSource {
  return {
    async region() {
      const region = await identity.region()
      if (!region) {
        throw new UsageError(
          'No AWS region is configured, and the policy needs one.',
          'Pass --region, set AWS_REGION, or set a region in your profile.',
        )
      }

      return region
    },
    async account() {
      try {
        return await identity.account()
      } catch (error) {
        // The reader rejects with typed errors; anything else is a bug, reported as unexpected.
        const failure =
          error instanceof SecretsError
            ? error
            : new SecretsError('Unexpected error from sts:GetCallerIdentity.', {code: 'UNEXPECTED', exitCode: ExitCode.unexpected, cause: error})
        throw new SecretsError(`${failure.message} (needed for the account id)`, {
          code: failure.code,
          exitCode: failure.exitCode,
          hint: `Pass --account ACCOUNT_ID, or fix the credentials. ${failure.hint ?? ''}`.trim(),
          cause: error,
        })
      }
    },
  }
}

/** Reads and parses a needs manifest; a missing or unreadable file is invalid input (exit 2). */
export async function readNeedsManifest(path: string): Promise<NeedsManifest> {
  const bytes = await readInputFile(
    path,
    `--manifest ${path}`,
    () =>
      new UsageError(
        `No manifest at ${path}.`,
        'Create it (service: and functions:, see "secrets grant --help"), pass --manifest FILE, or give ENV/SERVICE --function NAME.',
      ),
  )
  const text = bytes.toString('utf8')
  return parseNeedsManifest(text, path)
}

export interface CheckResult {
  environment: string
  service: string
  /** Every declared secret, once. */
  checked: string[]
  missing: string[]
  /** With --template: the template judged, and (always none here: values fail the check) what carried a value. */
  template?: {file: string; values: unknown[]}
}

/** Secrets looked up at once: plenty for a manifest, far under the DescribeSecret rate quota. */
const CHECK_CONCURRENCY = 5

/**
 * Verifies that every secret exists (and is not scheduled for deletion). DescribeSecret is used, not
 * ListSecrets, because it is strongly consistent: a secret created a moment ago is found.
 * Throws NotFoundError (exit 3) listing the missing ones.
 */
export async function checkDeclaredSecrets(store: SecretStore, scope: Scope, addresses: SecretAddress[], declaredIn: 'manifest' | 'flags' = 'manifest'): Promise<CheckResult> {
  const checked = [...new Set(addresses.map((address) => address.fullName))]
  const limit = pLimit(CHECK_CONCURRENCY)
  const found = await Promise.all(
    checked.map((name) =>
      limit(async () => {
        try {
          const metadata = await store.describe(name)
          return metadata.deletedDate === undefined
        } catch (error) {
          if (error instanceof SecretsError && error.code === 'NOT_FOUND') return false
          throw error
        }
      }),
    ),
  )
  const missing = checked.filter((_, i) => !found[i])
  if (missing.length > 0) {
    throw new NotFoundError(
      `${missing.length} of ${checked.length} declared secrets missing in ${scope.env}: ${missing.join(', ')}.`,
      `Create them with "secrets set ${scope.toString()} NAME"${declaredIn === 'manifest' ? ', or remove them from the manifest' : ', or leave them out of --secret'}.`,
    )
  }

  return {environment: scope.env, service: scope.service, checked, missing}
}

/** What `grant ARN` (or `grant --id NAME`) is asked for: one secret outside the naming scheme, for one function (or task). */
export interface ArnGrantRequest {
  arn: string
  functionName: string
  /** `--task`: functionName is an ECS task definition family. */
  task?: boolean
  /** --function-key: the function's key in the template, which keys a serverless.yml block. */
  templateKey?: string
  describe: boolean
  kmsKeyArns: string[]
  format: PolicyFormat
}

/**
 * The policy for one function to read one secret by its full ARN, exactly that ARN; the ARN names its
 * own partition, region and account, so nothing is asked of AWS. Rendered as environment "external".
 */
export function grantSecretArn(request: ArnGrantRequest): GrantResult {
  const arn = parseSecretArn(request.arn)
  const policy = buildArnPolicy({functionName: request.functionName, arn: arn.arn, region: arn.region, partition: arn.partition, describe: request.describe, kmsKeyArns: request.kmsKeyArns})
  const templateKey = request.templateKey === undefined ? {} : {templateKey: request.templateKey}
  const output = renderPolicies(request.format, [{functionName: request.functionName, ...templateKey, env: 'external', service: arn.resource, document: policy}], {keyed: false, ...(request.task ? {task: true} : {})})
  return {
    format: request.format,
    environment: 'external',
    service: arn.resource,
    partition: arn.partition,
    region: arn.region,
    account: arn.account,
    functions: [{function: request.functionName, secrets: [arn.arn], policy, ...(request.task ? {task: true as const} : {})}],
    output,
  }
}
