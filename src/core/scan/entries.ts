/**
 * What an extractor reads from a template, whatever its format (CloudFormation, Serverless, Terraform,
 * ECS, .env): the entries every rule judges, so each rule is written once; and the pieces of a fix
 * that every rule shares (the grant command in the template's own format).
 */
import {partProblem} from '../address.js'
import {guessScopeFromWorkload, quoteArg} from '../audit/fixes.js'
import type {PolicyStatement} from '../audit/iam.js'
import type {TemplateFormat} from './findings.js'
import type {Position} from './tree.js'

/** What an environment variable's value is, as a template says it. */
export type EnvValue =
  | {kind: 'literal'; text: string}
  /** An intrinsic, an ARN or name reference: resolved to something that is not the secret. */
  | {kind: 'reference'}
  /** Resolved at deploy time from a store or the deploying shell: the value lands in the configuration. */
  | {kind: 'resolved'; source: 'secretsmanager' | 'ssm-secure' | 'ssm' | 'env' | 'file'; path: string}

export interface EnvEntry {
  /** Logical id, function key or resource address. */
  resource: string
  /** The function or task family the grant is for, and whose name the scope is guessed from. */
  workload: string
  /** Where the variables are, for the template change: `Environment.Variables`, `provider.environment`, ... */
  where: string
  container?: string
  variable: string
  value: EnvValue
  position: Position
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
}

export interface Extracted {
  format: TemplateFormat
  env: EnvEntry[]
  parameters: ParameterEntry[]
  policies: PolicyEntry[]
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

/** The name of the secret a resolve path names: `/prod/api/DB_PASS`, an ARN, `name:SecretString:key`. */
export function secretOfPath(source: string, path: string): string {
  let name = path
  if (source === 'secretsmanager') {
    name = path.startsWith('arn:') ? (path.split(':')[6] ?? path) : (path.split(':')[0] ?? path)
  } else {
    name = path.replace(/:\d+$/, '')
  }

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
 * The grant for a secret that leaves a function's environment: with --runtime, it prints the policy,
 * the variable that names the secret and the handler that reads it (nodejs; python for a Python function).
 */
export function grantCommand(scope: {env: string; service: string}, workload: string, name: string, format: TemplateFormat): string {
  return `secrets grant ${scope.env}/${scope.service} --function ${quoteArg(workload)} --secret ${name} --format ${GRANT_FORMATS[format]} --runtime nodejs`
}
