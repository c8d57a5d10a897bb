/**
 * What an extractor reads from a template, whatever its format (CloudFormation, Serverless, Terraform,
 * ECS, .env): the entries every rule judges, so each rule is written once; and the pieces of a fix
 * that every rule shares (the grant command in the template's own format).
 */
import {partProblem} from '../address.js'
import {ecsValueFromCaveat, functionKeyFlag, guessScopeFromWorkload, quoteArg} from '../audit/fixes.js'
import type {PolicyStatement} from '../audit/iam.js'
import {runtimeOfDeclared} from '../runtime-snippets.js'
import type {ResourcePolicyStatement} from '../audit/resource-policy.js'
import type {TemplateFormat} from './findings.js'
import type {SecretTarget} from './narrow-policy.js'
import type {HclPlace} from './terraform-edit.js'
import type {Position} from './tree.js'

/**
 * Where a value resolved at deploy comes from: a store (dynamic references, Serverless variables),
 * the deploying shell or a file, a template parameter declared NoEcho, a resource's secret attribute,
 * and what Terraform reads or makes when it applies.
 */
export type ResolvedSource = 'secretsmanager' | 'ssm-secure' | 'ssm' | 'env' | 'file' | 'parameter' | 'attribute' | TerraformSource

/** What an environment variable's value is, as a template says it. */
export type EnvValue =
  | {kind: 'literal'; text: string}
  /** An intrinsic, an ARN or name reference: resolved to something that is not the secret. */
  | {kind: 'reference'}
  /**
   * Resolved at deploy time from a store, the deploying shell or the stack: the value lands in the
   * configuration. `path` is the store's name, the variable, the file, the parameter (`parameter`) or
   * `Resource.Attribute` (`attribute`, with the resource's type); empty when the template does not say.
   */
  | {
      kind: 'resolved'
      source: ResolvedSource
      path: string
      /** The template parameter an SSM parameter is read through (`AWS::SSM::Parameter::Value<String>`). */
      parameter?: string
      resourceType?: string
      /** The expression the value is read through (`var.db_password`, `aws_db_instance.main.password`), named in the reason. */
      reference?: string
    }
  /** A reference with literal parts (a `!Join`, a `!Sub`): judged by the shape of those parts only, never by its name. */
  | {kind: 'partial'; pieces: string[]}

/**
 * Secrets Terraform reads or makes when it applies: a secret or parameter its data sources read, a
 * variable declared sensitive (or any variable, judged by its name), a resource attribute that is a
 * secret (a database password, a generated one).
 */
export type TerraformSource = 'terraform-secret' | 'terraform-ssm-secure' | 'terraform-ssm' | 'terraform-sensitive' | 'terraform-variable' | 'terraform-attribute'

export interface EnvEntry {
  /** Logical id, function key or resource address. */
  resource: string
  /** The function or task family the grant is for, and whose name the scope is guessed from. */
  workload: string
  /** Where the variables are, for the template change: `Environment.Variables`, `provider.environment`, ... */
  where: string
  container?: string
  /** The function's runtime as the template declares it (`python3.12`), when it does. */
  runtime?: string
  variable: string
  value: EnvValue
  /** A literal written as a variable's default (Serverless `${env:X, 'default'}`): reported only for a credential's shape. */
  fallback?: boolean
  /** The scope the template itself gives (Serverless: its stage and service), over the guess from the workload's name. */
  scope?: {env: string; service: string}
  /**
   * The functions granted, where the workload is not one function whose key is its name: a Serverless
   * function is deployed under another name than its key, and `provider.environment` reaches every function.
   */
  grantees?: Grantee[]
  /** What the user fills in of the printed names (a stage given only at deploy), said in the fix. */
  fillIn?: string
  position: Position
}

/** A function a grant is for: the name it is deployed under, and its key in the template. */
export interface Grantee {
  name: string
  key: string
  runtime?: string
}

export interface ParameterEntry {
  resource: string
  /** The parameter's name as written (with `${...}` for what is resolved at deploy), if any. */
  name?: string
  /** The literal value; undefined when it is an intrinsic (then the name decides). */
  value?: string
  position: Position
}

export interface StatementEntry {
  statement: PolicyStatement
  /** The statement as the template writes it, in CloudFormation's JSON form (intrinsics kept), for a fix that keeps what it does not narrow. */
  written?: Record<string, unknown>
  /** Where each resource pattern of the statement is written. */
  positions: Map<string, Position>
  position: Position
}

/** An IAM user or group that holds a policy: not a function, so its fix is to scope the policy, not a grant. */
export interface PolicyPrincipal {
  kind: 'user' | 'group'
  name: string
}

export interface PolicyEntry {
  /** The role, user, group or policy resource. */
  resource: string
  /** The inline policy's name, the SAM policy template or the AWS managed policy. */
  policy?: string
  /** Policies of one role are judged together too; the role's key. */
  role?: string
  /** The functions that hold this policy (through the role or directly). */
  holders: string[]
  /** The users and groups that hold it. */
  principals?: PolicyPrincipal[]
  /** For an attached AWS managed policy: which one and why it reads every secret, the finding's reason. */
  managed?: string
  /** The way each `Fn::If` condition went for this reading of the policy; absent when it has none. */
  when?: Record<string, boolean>
  statements: StatementEntry[]
  position: Position
  /** Who assumes the role, from its trust policy: `lambda.amazonaws.com`, `cognito-identity.amazonaws.com`, ... */
  assumedBy?: string[]
  /** Where the policy is written, for a fix that edits the template; absent where a fix cannot say. */
  place?: PolicyPlace
}

/** A key path from the template's root: map keys and list indexes. */
export type TemplatePath = Array<string | number>

/**
 * Where a policy is written: an inline document's statement list; a SAM policy template, an item of
 * the function's `Policies`; or an attached managed policy, which a fix cannot edit, so the fix adds a
 * policy to the holder's `Policies` (`count` items today; SAM takes bare documents, a role named ones).
 */
export type PolicyPlace =
  | {kind: 'statements'; at: TemplatePath}
  | {kind: 'item'; at: TemplatePath}
  | {kind: 'attached'; policies: TemplatePath; count: number; bare: boolean}
  | HclPlace

/** A template parameter's literal `Default` that fills an environment variable when the deploy does not override it. */
export interface DefaultEntry {
  /** The parameter's logical id. */
  parameter: string
  /** Declared NoEcho: a secret by the template's own word. */
  noEcho: boolean
  value: string
  /** The first variable it fills. */
  user: Omit<EnvEntry, 'value'>
  position: Position
}

/** A secret's resource policy as a template writes it (AWS::SecretsManager::ResourcePolicy, aws_secretsmanager_secret_policy). */
export interface SecretPolicyEntry {
  /** The policy's resource: logical id or Terraform address. */
  resource: string
  /** The secret it is attached to, as written: a name, or the resource a reference points to. */
  secret?: string
  statements: Array<{statement: ResourcePolicyStatement; position: Position}>
  /** `BlockPublicPolicy` / `block_public_policy`, when the template sets it. */
  blockPublicPolicy?: boolean
  position: Position
}

export interface Extracted {
  format: TemplateFormat
  env: EnvEntry[]
  parameters: ParameterEntry[]
  policies: PolicyEntry[]
  /** CloudFormation only: parameter defaults that reach an environment. */
  defaults?: DefaultEntry[]
  /** Secrets' resource policies; absent where a format has none. */
  secretPolicies?: SecretPolicyEntry[]
  /** Per function, the secrets the template tells it to read, for a policy fix to scope to; absent where a format does not say. */
  targets?: Record<string, SecretTarget[]>
  /** Serverless: each function's key in the file, by its deployed name, for `grant --function-key`. */
  functionKeys?: Record<string, string>
}

/** `secrets grant` takes these formats; an ECS task definition or a .env file gets JSON. */
export const GRANT_FORMATS: Record<TemplateFormat, string> = {
  cloudformation: 'cloudformation',
  sam: 'sam',
  cdk: 'cdk',
  serverless: 'serverless',
  terraform: 'terraform',
  ecs: 'json',
  dotenv: 'json',
}

/** `{{resolve:secretsmanager:...}}` and `{{resolve:ssm-secure:...}}` anywhere in a string. */
const SECRET_RESOLVE = /\{\{resolve:(secretsmanager|ssm-secure|ssm):([^}]*)\}\}/

/** Classifies a CloudFormation string (literal or the text of an intrinsic) for a variable. */
export function cfnEnvValue(value: {kind: 'literal' | 'intrinsic'; text: string; fn?: string}): EnvValue {
  const resolve = SECRET_RESOLVE.exec(value.text)
  // `{{resolve:ssm:...}}` reads a String parameter: configuration, or plain text audit reports in SSM.
  if (resolve && resolve[1] !== 'ssm') {
    const source = resolve[1] as 'secretsmanager' | 'ssm-secure' | 'ssm'
    // secretsmanager:name-or-arn[:SecretString:key:...]; ssm-secure:name[:version]
    return {kind: 'resolved', source, path: resolve[2]}
  }

  if (value.kind === 'literal') return {kind: 'literal', text: value.text}
  // A !Sub with nothing to substitute is a literal in disguise.
  if (value.fn === 'Fn::Sub' && !value.text.includes('${')) return {kind: 'literal', text: value.text}
  return {kind: 'reference'}
}

/**
 * The full name a store reference names: a Parameter Store name without its version, a Secrets
 * Manager name without `:SecretString:key...` (or an ARN's name, without AWS's 6-character suffix).
 */
export function storedName(source: string, path: string): string {
  if (source !== 'secretsmanager') return path.replace(/:\d+$/, '')
  if (path.startsWith('arn:')) return (path.split(':')[6] ?? path).replace(/-[A-Za-z0-9]{6}$/, '')
  return path.split(':')[0] ?? path
}

/** The last segment of the name a resolve path names: `/prod/api/DB_PASS`, an ARN, `name:SecretString:key`. */
export function secretOfPath(source: string, path: string): string {
  const name = storedName(source, path)
  return name.split('/').filter(Boolean).at(-1) ?? name
}

/**
 * A template often names the environment with a parameter (`/${Stage}/*`): not a name `secrets grant`
 * takes, so the grant reads the environment off the function's name, or says ENV.
 */
export function namedEnvironments(services: Map<string, Set<string>>, principal: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>()
  for (const [env, names] of services) {
    const name = partProblem('environment', env) === undefined ? env : guessScopeFromWorkload(principal).env
    out.set(name, new Set([...(out.get(name) ?? []), ...names]))
  }

  return out
}

/**
 * The grant for a secret that leaves a function's (or a container's) environment: with --runtime, it
 * prints the policy, the variable that names the secret and the handler that reads it (nodejs; python
 * for a Python function). `templateKey` keys the printed block when the function's key in the template
 * is not its name. A container's secret is granted to its task definition family's task role
 * (`task`: `--task`), with a module that reads it at run time.
 */
export function grantCommand(scope: {env: string; service: string}, workload: string, name: string, format: TemplateFormat, declaredRuntime?: string, templateKey?: string, task = false): string {
  const {runtime} = runtimeOfDeclared(declaredRuntime)
  const key = task ? '' : functionKeyFlag(workload, templateKey)
  return `secrets grant ${scope.env}/${scope.service} ${workloadFlag(task)} ${quoteArg(workload)}${key} --secret ${name} --format ${grantFormat(format, task)}${runtime === undefined ? '' : ` --runtime ${runtime}`}`
}


/** The functions an entry's grant is for: its grantees, else its workload under its own name. */
export function granteesOf(entry: Pick<EnvEntry, 'workload' | 'runtime' | 'grantees'>): Grantee[] {
  return entry.grantees ?? [{name: entry.workload, key: entry.workload, ...(entry.runtime === undefined ? {} : {runtime: entry.runtime})}]
}

/** `--function`, or `--task` for a container's task definition family. */
export function workloadFlag(task: boolean): string {
  return task ? '--task' : '--function'
}

/** The grant's format for a template's format; a task role's policy has no Serverless form, so CloudFormation (its resources: section). */
export function grantFormat(format: TemplateFormat, task = false): string {
  return task && format === 'serverless' ? 'cloudformation' : GRANT_FORMATS[format]
}

/** How the fix's change says the secret is read for a container: the module its application imports. */
export const TASK_READER_ADVICE = 'as the grant prints it with the module that reads it at run time with the task role; --runtime python for a Python application'

/** For a container, what the lesser step (valueFrom) would leave, to end the change with; nothing for a function. */
export function valueFromNote(entry: {container?: string}): string {
  return entry.container === undefined ? '' : `; ${ecsValueFromCaveat(false)}`
}

/** How the handler is had, for a fix's change: nothing to add for a declared Node.js or Python function. */
export function runtimeAdvice(declaredRuntime: string | undefined): string {
  const {note} = runtimeOfDeclared(declaredRuntime)
  return note === undefined ? '' : `; ${note}`
}
