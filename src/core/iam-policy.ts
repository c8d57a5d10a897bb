/**
 * The IAM policy a function needs to read its secrets, and nothing more. Pure: no AWS, no flags.
 *
 * Every resource is one service's secrets in one environment. A named secret is matched as
 * `<name>-??????`: Secrets Manager appends `-` and six random characters to every secret ARN, and `?`
 * matches exactly one character, so `DB_PASS-??????` never matches `DB_PASS-OLD-AbC123` the way
 * `DB_PASS-*` would. The address rules already refuse names that end like that suffix.
 */
import type {Scope, SecretAddress} from './address.js'
import {UsageError} from './errors.js'
import {printable} from './printable.js'

export const GET_SECRET_VALUE = 'secretsmanager:GetSecretValue'
export const DESCRIBE_SECRET = 'secretsmanager:DescribeSecret'
const KMS_DECRYPT = 'kms:Decrypt'

/** One IAM policy statement, in the JSON shape IAM stores (arrays even for one element). */
export interface PolicyStatement {
  Sid: string
  Effect: 'Allow'
  Action: string[]
  Resource: string[]
  Condition?: Record<string, Record<string, string>>
}

export interface PolicyDocument {
  Version: '2012-10-17'
  Statement: PolicyStatement[]
}

/**
 * Where the policy applies. Values are either literal (`aws`, `eu-west-1`, `123456789012`) or
 * CloudFormation pseudo-parameters (`${AWS::Region}`), which the CloudFormation and SAM renderers
 * wrap in `Fn::Sub`.
 */
export interface Placement {
  partition: string
  region: string
  account: string
  /** DNS suffix of the partition's endpoints, for `kms:ViaService` (`amazonaws.com`, `amazonaws.com.cn`). */
  urlSuffix: string
}

/** The CloudFormation pseudo-parameters, resolved by CloudFormation at deploy time. */
export const PSEUDO_PLACEMENT: Placement = {
  partition: '${AWS::Partition}',
  region: '${AWS::Region}',
  account: '${AWS::AccountId}',
  urlSuffix: '${AWS::URLSuffix}',
}

/** True when a string holds a CloudFormation pseudo-parameter and so needs `Fn::Sub`. */
export function hasPseudoParameter(text: string): boolean {
  return /\$\{AWS::[A-Za-z]+\}/.test(text)
}

/** What one function is granted. */
export interface FunctionGrant {
  /** The function (or task) the policy is for; it names the statements. */
  functionName: string
  scope: Scope
  /** Exactly these secrets; empty means every secret of the scope (`/<env>/<service>/*`). */
  secrets: SecretAddress[]
  /** Adds `secretsmanager:DescribeSecret`. */
  describe: boolean
  /** KMS keys (key ARNs) the secrets are encrypted with; adds `kms:Decrypt` through Secrets Manager only. */
  kmsKeyArns: string[]
}

/** Lambda's rule for function names, which is also safe for every format's identifiers once cased. */
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/

/** Returns why a function name is refused, or undefined when it is fine. */
export function functionNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'the function name is empty'
  if (name.length > 64) return `the function name "${printable(name.slice(0, 20))}..." is longer than 64 characters`
  if (!FUNCTION_NAME.test(name)) {
    return `the function name "${printable(name)}" may only use letters, digits, "-" and "_" (Lambda's rule)`
  }

  return undefined
}

export function assertFunctionName(name: string): void {
  const problem = functionNameProblem(name)
  if (problem) throw new UsageError(`Invalid --function: ${problem}.`)
}

/** ECS's rule for a task definition family: up to 255 letters, digits, "-" and "_". */
const TASK_FAMILY = /^[A-Za-z0-9_-]{1,255}$/

/** Why a name is no task definition family, or undefined when it is one. */
export function taskFamilyProblem(family: string): string | undefined {
  return TASK_FAMILY.test(family) ? undefined : `"${printable(family.slice(0, 40))}": a task definition family is 1 to 255 letters, digits, "-" and "_" (ECS's rule)`
}

export function assertTaskFamily(family: string): void {
  const problem = taskFamilyProblem(family)
  if (problem) throw new UsageError(`Invalid --task ${problem}.`)
}

const PARTITION = /^aws(-[a-z]+)*$/
/** An AWS region code such as eu-west-1, and an account id: also what secrets.yml accepts. */
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/
export const ACCOUNT = /^\d{12}$/
/** `kms:Decrypt` is authorized on the key ARN; an alias ARN in a policy never matches a decrypt call. */
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z]{2}(-[a-z]+)+-\d{1,2}:\d{12}:key\/[A-Za-z0-9-]{1,128}$/

export function assertPartition(value: string): void {
  if (!PARTITION.test(value)) {
    throw new UsageError(`Invalid --partition "${printable(value)}": expected aws, aws-cn, aws-us-gov or another aws-* partition.`)
  }
}

export function assertRegion(value: string, source = '--region'): void {
  if (!REGION.test(value)) {
    throw new UsageError(`Invalid region "${printable(value)}" (${source}): expected a region code such as eu-west-1.`)
  }
}

export function assertAccount(value: string): void {
  if (!ACCOUNT.test(value)) {
    throw new UsageError(`Invalid --account "${printable(value)}": an AWS account id is exactly 12 digits.`)
  }
}

export function assertKmsKeyArn(value: string): void {
  if (KMS_KEY_ARN.test(value)) return
  const alias = /^arn:aws[a-z-]*:kms:[^:]*:\d{12}:alias\//.test(value) || value.startsWith('alias/')
  throw new UsageError(
    `Invalid --kms-key-arn "${printable(value)}": expected a key ARN, arn:<partition>:kms:<region>:<account>:key/<key-id>.`,
    alias
      ? 'kms:Decrypt is authorized on the key ARN, never on an alias: look it up with "aws kms describe-key --key-id <alias> --query KeyMetadata.Arn".'
      : undefined,
  )
}

/** The partition a region belongs to, for when --partition is not given. */
export function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn'
  if (region.startsWith('us-gov-')) return 'aws-us-gov'
  if (region.startsWith('us-isob-')) return 'aws-iso-b'
  if (region.startsWith('us-iso-')) return 'aws-iso'
  return 'aws'
}

/** Endpoint DNS suffix of a partition (used in `kms:ViaService`). */
export function urlSuffixOfPartition(partition: string): string {
  switch (partition) {
    case 'aws-cn': {
      return 'amazonaws.com.cn'
    }

    case 'aws-iso': {
      return 'c2s.ic.gov'
    }

    case 'aws-iso-b': {
      return 'sc2s.sgov.gov'
    }

    default: {
      return 'amazonaws.com'
    }
  }
}

/** The ARN pattern of one named secret: its name, a hyphen and exactly six suffix characters. */
function secretResource(placement: Placement, address: SecretAddress): string {
  return `${secretArnPrefix(placement)}${address.fullName}-??????`
}

/** Every secret directly in the scope's namespace, and nothing in a sibling service such as `api2`. */
function scopeResource(placement: Placement, scope: Scope): string {
  return `${secretArnPrefix(placement)}${scope.prefix}*`
}

/** The ARN pattern of a scope's secrets for a fix text; unknown parts stay as placeholders. */
export function scopeArn(scope: Scope, region: string | undefined, account: string | undefined): string {
  const placement = {partition: region ? partitionOfRegion(region) : 'aws', region: region ?? '<region>', account: account ?? '<account>', urlSuffix: ''}
  return scopeResource(placement, scope)
}

function secretArnPrefix(placement: Placement): string {
  return `arn:${placement.partition}:secretsmanager:${placement.region}:${placement.account}:secret:`
}

/** `checkout-fn` + `prod` -> `CheckoutFnProd`: IAM Sids are alphanumeric only. */
export function sidPrefix(functionName: string, env: string): string {
  return functionAndEnv(functionName, env).map((part) => pascalCase(part)).join('')
}

/**
 * The parts an identifier is made of: the function's name, then the environment unless the name says
 * it already (`billing-invoicer-prod` in prod is `BillingInvoicerProd`, not `BillingInvoicerProdProd`).
 */
export function functionAndEnv(functionName: string, env: string): string[] {
  const words = functionName.toLowerCase().split(/[^a-z0-9]+/)
  return words.includes(env.toLowerCase()) ? [functionName] : [functionName, env]
}

/** Splits on anything but letters and digits and capitalizes each word: `checkout-fn` -> `CheckoutFn`. */
export function pascalCase(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join('')
}

/** Builds the policy document for one function. */
export function buildPolicy(grant: FunctionGrant, placement: Placement): PolicyDocument {
  const sid = sidPrefix(grant.functionName, grant.scope.env)
  const resources =
    grant.secrets.length === 0
      ? [scopeResource(placement, grant.scope)]
      : unique(grant.secrets.map((address) => secretResource(placement, assertInScope(grant.scope, address))))
  return readPolicy(sid, resources, grant, placement)
}

/**
 * The policy to read exactly one secret outside the naming scheme, by its full ARN: that ARN as the
 * resource (a full ARN already carries AWS's six-character suffix, so no `-??????` pattern is needed),
 * and kms:Decrypt through Secrets Manager in the ARN's region for the keys named.
 */
export function buildArnPolicy(grant: {functionName: string; arn: string; region: string; partition: string; describe: boolean; kmsKeyArns: string[]}): PolicyDocument {
  const placement = {partition: grant.partition, region: grant.region, account: '', urlSuffix: urlSuffixOfPartition(grant.partition)}
  return readPolicy(sidPrefix(grant.functionName, 'external'), [grant.arn], grant, placement)
}

function readPolicy(sid: string, resources: string[], grant: {describe: boolean; kmsKeyArns: string[]}, placement: Placement): PolicyDocument {
  const statements: PolicyStatement[] = [
    {
      Sid: `${sid}ReadSecrets`,
      Effect: 'Allow',
      Action: grant.describe ? [GET_SECRET_VALUE, DESCRIBE_SECRET] : [GET_SECRET_VALUE],
      Resource: resources,
    },
  ]
  if (grant.kmsKeyArns.length > 0) {
    statements.push({
      Sid: `${sid}DecryptSecrets`,
      Effect: 'Allow',
      Action: [KMS_DECRYPT],
      Resource: unique(grant.kmsKeyArns),
      // Only when Secrets Manager decrypts on the function's behalf, in this region: the key cannot be
      // used directly, or through another service.
      Condition: {StringEquals: {'kms:ViaService': `secretsmanager.${placement.region}.${placement.urlSuffix}`}},
    })
  }

  return {Version: '2012-10-17', Statement: statements}
}

/** A grant never reaches outside its scope; the caller builds addresses from the scope, this proves it. */
function assertInScope(scope: Scope, address: SecretAddress): SecretAddress {
  if (address.env !== scope.env || address.service !== scope.service) {
    throw new UsageError(`${address.fullName} is not in ${scope.toString()}; a grant covers one environment and one service.`)
  }

  return address
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)]
}

