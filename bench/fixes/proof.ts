/**
 * Applying a scan fix's template edits and reading back what the function may then do: the edits set
 * into a copy of the template, cfn-lint run on it, and the function's identity policy (its SAM
 * `Policies` or its role's) with intrinsics resolved to concrete ARNs, for the IAM evaluator.
 */
import {execFile} from 'node:child_process'
import {promisify} from 'node:util'

import {Ajv} from 'ajv'
import {isMap, isSeq, parseDocument} from 'yaml'

import type {PolicyDocument} from '../../src/core/iam-policy.js'
import type {FixEdit, TemplateEdit} from '../../src/core/scan/narrow-policy.js'
import {extractTerraform, type HclParser} from '../../src/core/scan/terraform.js'
import type {LinesEdit} from '../../src/core/scan/terraform-edit.js'
import {CFN_TAGS} from '../../src/core/scan/tree.js'

const run = promisify(execFile)
type Statement = Record<string, unknown>
export const AT = {partition: 'aws', region: 'eu-west-1', account: '123456789012'}

/**
 * The template with each edit applied: a value set at its path (an index one past a list's end
 * appends), or whole lines replaced (from the last up, so the line numbers of the others still hold).
 */
export function applyEdits(text: string, edits: readonly FixEdit[]): string {
  const byLines = edits.filter((edit): edit is LinesEdit => 'lines' in edit).sort((a, b) => b.lines.from - a.lines.from)
  if (byLines.length > 0) {
    const lines = text.split('\n')
    for (const edit of byLines) lines.splice(edit.lines.from - 1, edit.lines.to - edit.lines.from + 1, ...edit.text.split('\n'))
    return lines.join('\n')
  }

  const doc = parseDocument(text, {customTags: CFN_TAGS})
  for (const edit of edits as readonly TemplateEdit[]) {
    const parent = doc.getIn(edit.at.slice(0, -1), true)
    const last = edit.at.at(-1)
    if (isSeq(parent) && typeof last === 'number' && last === parent.items.length) parent.add(doc.createNode(edit.value))
    else doc.setIn(edit.at, doc.createNode(edit.value))
  }

  return doc.toString()
}

/** cfn-lint's errors on files (warnings and notes left out): its exit code's error bit. One run for many files: each start costs seconds. */
export async function cfnLintErrors(files: readonly string[]): Promise<{errors: boolean; output: string}> {
  try {
    await run('cfn-lint', ['--', ...files])
    return {errors: false, output: ''}
  } catch (error) {
    const {code, stdout} = error as {code: number; stdout: string}
    return {errors: (code & 2) !== 0, output: stdout}
  }
}

/** The ARN a secret of that logical id or name would have here (a parameter's default wins). */
const secretArnOf = (name: string) => `arn:${AT.partition}:secretsmanager:${AT.region}:${AT.account}:secret:${name}-AbCdEf`

/** A parsed node as plain JSON (short tags in their long form). */
function templateJsonNode(node: any): unknown {
  if (node === null || node === undefined) return null
  const tag: string | undefined = node.tag?.startsWith('!') ? node.tag.slice(1) : undefined
  const plain = isSeq(node)
    ? node.items.map((item: any) => templateJsonNode(item))
    : isMap(node)
      ? Object.fromEntries(node.items.map((pair: any) => [String(pair.key.value), templateJsonNode(pair.value)]))
      : node.value
  if (tag === undefined) return plain
  if (tag === 'GetAtt' && typeof plain === 'string') return {'Fn::GetAtt': plain.split('.')}
  return {[tag === 'Ref' ? 'Ref' : `Fn::${tag}`]: plain}
}

/** The template as plain JSON. */
function templateJson(text: string): Record<string, any> {
  return templateJsonNode(parseDocument(text, {customTags: CFN_TAGS}).contents) as Record<string, any>
}

/** Intrinsics as concrete values: parameters by their default, resources and attributes by a made-up secret ARN. */
function resolved(value: unknown, parameters: Record<string, any>): unknown {
  if (Array.isArray(value)) return value.map((item) => resolved(item, parameters))
  if (typeof value !== 'object' || value === null) return value
  const entries = Object.entries(value)
  if (entries.length === 1) {
    const [fn, arg] = entries[0]
    // A default that is no ARN is a placeholder (`ACTIVEMQ_SECRET_ARN`): the deploy gives the real one.
    if (fn === 'Ref') return String(parameters[arg as string]?.Default ?? '').startsWith('arn:') ? parameters[arg as string].Default : secretArnOf(arg as string)
    if (fn === 'Fn::GetAtt') return secretArnOf((arg as string[]).join('.'))
    if (fn === 'Fn::Sub') {
      return String(arg)
        .replaceAll('${AWS::Partition}', AT.partition)
        .replaceAll('${AWS::Region}', AT.region)
        .replaceAll('${AWS::AccountId}', AT.account)
        .replaceAll(/\$\{([\w.]+)\}/g, (_, name: string) => parameters[name]?.Default ?? name)
    }
  }

  return Object.fromEntries(entries.map(([key, item]) => [key, resolved(item, parameters)]))
}

/** The AWS managed policies the fixtures attach, as the statements that matter here. */
const MANAGED: Record<string, Statement[]> = {
  AdministratorAccess: [{Effect: 'Allow', Action: ['*'], Resource: ['*']}],
  AWSLambdaBasicExecutionRole: [{Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: ['*']}],
}

/** SAM's policy templates the fixtures use, as SAM expands them. */
const SAM_TEMPLATES: Record<string, (args: Record<string, unknown>) => Statement[]> = {
  AWSSecretsManagerGetSecretValuePolicy: (args) => [{Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: [String(args.SecretArn)]}],
}

/** The identity policy a resource (a SAM function, or a role) holds: every statement of every policy it has. */
export function heldPolicy(text: string, id: string): PolicyDocument {
  const template = templateJson(text)
  const parameters = template.Parameters ?? {}
  const properties = resolved(template.Resources[id].Properties, parameters) as Record<string, any>
  const statements: Statement[] = []
  const add = (statement: unknown) => statements.push(...((Array.isArray(statement) ? statement : [statement]) as Statement[]))
  for (const policy of properties.Policies ?? []) {
    if (typeof policy === 'string') add(MANAGED[policy.split('/').at(-1) as string] ?? [])
    else if (policy.PolicyDocument) add(policy.PolicyDocument.Statement)
    else if (policy.Statement) add(policy.Statement)
    else for (const [name, args] of Object.entries(policy)) add(SAM_TEMPLATES[name]?.(args as Record<string, unknown>) ?? [])
  }

  for (const arn of properties.ManagedPolicyArns ?? []) add(MANAGED[String(arn).split('/').at(-1) as string] ?? [])
  return {Version: '2012-10-17', Statement: statements} as unknown as PolicyDocument
}

/** The statements an edit writes: a statement list, a policy document, or a named policy. */
function statementsOf(value: unknown): Statement[] {
  if (Array.isArray(value)) return value as Statement[]
  const record = (value ?? {}) as Record<string, any>
  if (record.PolicyDocument) return statementsOf(record.PolicyDocument)
  if (record.Statement) return statementsOf(Array.isArray(record.Statement) ? record.Statement : [record.Statement])
  return []
}

const listOf = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value])
const SECRET_READS = new Set(['secretsmanager:getsecretvalue', 'ssm:getparameter', 'ssm:getparameters', 'ssm:getparametersbypath', 'ssm:getparameterhistory'])

/**
 * The actions of the statements an edit replaces that the edit no longer allows on the same
 * resources (a secret read named as such is meant to go). Empty for an edit that only adds a policy.
 */
export function lostActions(text: string, edit: TemplateEdit): string[] {
  const doc = parseDocument(text, {customTags: CFN_TAGS})
  return lostBetween(statementsOf(templateJsonOf(doc.getIn(edit.at, true))), statementsOf(edit.value))
}

/** The actions the `before` statements allow that the `after` ones no longer allow on the same resources (secret reads left out). */
export function lostBetween(before: readonly Statement[], written: readonly Statement[]): string[] {
  const after = written.filter((statement) => String(statement.Effect).toLowerCase() === 'allow')
  const lost: string[] = []
  for (const statement of before) {
    if (String(statement.Effect).toLowerCase() !== 'allow') continue
    for (const action of listOf(statement.Action)) {
      if (SECRET_READS.has(String(action).toLowerCase())) continue
      const kept = after.some((other) => listOf(other.Action).includes(action) && JSON.stringify(listOf(other.Resource)) === JSON.stringify(listOf(statement.Resource)))
      if (!kept) lost.push(String(action))
    }
  }

  return lost
}

/** Per store: the action that reads a value, and a made-up resource nobody named. */
const STORE_READS = {
  secretsmanager: {action: 'secretsmanager:GetSecretValue', other: secretArnOf('/prod/nobody-named-it/KEY')},
  ssm: {action: 'ssm:GetParameter', other: `arn:${AT.partition}:ssm:${AT.region}:${AT.account}:parameter/prod/nobody-named-it/KEY`},
}

/**
 * The secrets an edit leaves readable, as the IAM evaluator sees the statements it writes (beside a
 * stand-in that allows everything, for the policy a Deny fences): in each store the edit touches, each
 * secret its Allow statements or its Deny's NotResource name must be allowed, and one nobody named must not.
 */
export async function secretsAfter(text: string, edit: TemplateEdit, evaluate: Evaluate): Promise<SecretsAfter> {
  const parameters = templateJson(text).Parameters ?? {}
  return secretsAllowed(resolved(statementsOf(edit.value), parameters) as Statement[], evaluate)
}

type Evaluate = (policy: PolicyDocument, action: string, resource: string) => Promise<string>
type SecretsAfter = {named: number; denied: string[]; otherAllowed: string[]}

/** secretsAfter's judgement of statements with concrete ARNs. */
export async function secretsAllowed(statements: Statement[], evaluate: Evaluate): Promise<SecretsAfter> {
  const fenced = statements.some((statement) => String(statement.Effect).toLowerCase() === 'deny')
  const policy = {Version: '2012-10-17', Statement: [...(fenced ? [{Effect: 'Allow', Action: ['*'], Resource: ['*']}] : []), ...statements]} as unknown as PolicyDocument
  let named = 0
  const denied: string[] = []
  const otherAllowed: string[] = []
  for (const [store, {action, other}] of Object.entries(STORE_READS)) {
    const resources = new Set<string>()
    let touched = false
    for (const statement of statements) {
      const reads = listOf(statement.Action).some((item) => String(item).toLowerCase().startsWith(`${store}:`) && SECRET_READS.has(String(item).toLowerCase()))
      if (!reads) continue
      touched = true
      const list = String(statement.Effect).toLowerCase() === 'allow' ? listOf(statement.Resource) : listOf(statement.NotResource)
      // A name's ARN in any region and account (Terraform's targets) is tried in this one.
      const concrete = (resource: string) => resource.replace(/-\?{6}$/, '-AbCdEf').replace(/^(arn:[^:]+:[^:]+):\*:\*:/, `$1:${AT.region}:${AT.account}:`)
      for (const resource of list) if (typeof resource === 'string' && resource !== '*') resources.add(concrete(resource))
    }

    if (!touched) continue
    named += resources.size
    for (const resource of resources) {
      // A resource the simulator cannot place (not an ARN once resolved) counts as denied.
      const decision = await evaluate(policy, action, resource).catch(() => 'unplaceable')
      if (decision !== 'Allowed') denied.push(resource)
    }

    if ((await evaluate(policy, action, other)) === 'Allowed') otherAllowed.push(store)
  }

  return {named, denied, otherAllowed}
}

function templateJsonOf(node: unknown): unknown {
  return node === undefined ? undefined : templateJsonNode(node)
}

/** Files `terraform fmt -check` would change or cannot read, in one run. */
export async function terraformFmtErrors(files: readonly string[]): Promise<{errors: boolean; output: string}> {
  try {
    await run('terraform', ['fmt', '-check', '-list=true', ...files])
    return {errors: false, output: ''}
  } catch (error) {
    const {stdout, stderr} = error as {stdout: string; stderr: string}
    return {errors: true, output: `${stdout}${stderr}`}
  }
}

/** A Terraform reference or variable as a concrete secret ARN: the address stands for the name. */
const resolvedTerraform = (value: unknown): unknown =>
  typeof value === 'string'
    ? /^\$\{([^{}]+)\}$/.test(value)
      ? secretArnOf(value.slice(2, -1).replace(/\.arn$/, ''))
      : value.replaceAll(/\$\{([^{}]+)\}/g, (_, expression: string) => expression)
    : Array.isArray(value)
      ? value.map((item) => resolvedTerraform(item))
      : typeof value === 'object' && value !== null
        ? Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolvedTerraform(item)]))
        : value

/**
 * What a Terraform edit changed in the policy it rewrote, read back from both files: the other
 * actions lost, and the secrets the new statements allow (references resolved to made-up ARNs).
 */
export async function terraformEditProof(file: string, before: string, after: string, resource: string, parse: HclParser, evaluate: Evaluate): Promise<{lost: string[]} & SecretsAfter> {
  const statementsIn = async (text: string) =>
    ((await extractTerraform(file, text, parse)).policies.find((policy) => policy.resource === resource)?.statements ?? []).map((item) => (item.written ?? item.statement) as Statement)
  const old = await statementsIn(before)
  const rewritten = await statementsIn(after)
  return {lost: lostBetween(old, rewritten), ...(await secretsAllowed(resolvedTerraform(rewritten) as Statement[], evaluate))}
}

/** The identity policy a Terraform function holds through its role: every statement of every policy of the file that names it. */
export async function terraformHeldPolicy(file: string, text: string, holder: string, parse: HclParser): Promise<PolicyDocument> {
  const extracted = await extractTerraform(file, text, parse)
  const statements = extracted.policies.filter((policy) => policy.holders.includes(holder)).flatMap((policy) => policy.statements.map((item) => resolvedTerraform(item.written ?? item.statement)))
  return {Version: '2012-10-17', Statement: statements} as unknown as PolicyDocument
}

/**
 * The shape Serverless Framework validates `provider.iam.role.statements` (and a function's
 * `iamRoleStatements`) against before a deploy: IAM statements with no key it does not know.
 */
const SERVERLESS_STATEMENTS = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      Sid: {type: 'string'},
      Effect: {enum: ['Allow', 'Deny']},
      Action: {anyOf: [{type: 'string'}, {type: 'array', items: {type: 'string'}}]},
      NotAction: {anyOf: [{type: 'string'}, {type: 'array', items: {type: 'string'}}]},
      Resource: {anyOf: [{type: 'string'}, {type: 'object'}, {type: 'array'}]},
      NotResource: {anyOf: [{type: 'string'}, {type: 'object'}, {type: 'array'}]},
      Condition: {type: 'object'},
    },
    required: ['Effect'],
    additionalProperties: false,
    allOf: [{oneOf: [{required: ['Action']}, {required: ['NotAction']}]}, {oneOf: [{required: ['Resource']}, {required: ['NotResource']}]}],
  },
}

/** The statement lists of a serverless.yml that break Serverless's schema, each with ajv's words. */
export function serverlessSchemaErrors(text: string): string[] {
  const template = templateJson(text)
  const lists: Array<[string, unknown]> = [
    ['provider.iam.role.statements', template.provider?.iam?.role?.statements],
    ['provider.iamRoleStatements', template.provider?.iamRoleStatements],
    ...Object.entries(template.functions ?? {}).map(([key, fn]: [string, any]): [string, unknown] => [`functions.${key}.iamRoleStatements`, fn?.iamRoleStatements]),
  ]
  const validate = new Ajv({allErrors: true}).compile(SERVERLESS_STATEMENTS)
  return lists.flatMap(([path, list]) => (list === undefined || validate(list) ? [] : [`${path}: ${new Ajv().errorsText(validate.errors)}`]))
}

/**
 * The statements a Serverless function's role holds: its own `iamRoleStatements` where it has them
 * (serverless-iam-roles-per-function gives it a role of its own), else the provider's, resolved.
 */
export function serverlessHeldPolicy(text: string, key: string): PolicyDocument {
  const template = templateJson(text)
  const own = template.functions?.[key]?.iamRoleStatements
  const statements = own ?? template.provider?.iam?.role?.statements ?? template.provider?.iamRoleStatements ?? []
  return {Version: '2012-10-17', Statement: resolved(statements, {})} as unknown as PolicyDocument
}
