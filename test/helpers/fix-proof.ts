/**
 * Applying a scan fix's template edits and reading back what the function may then do: the edits set
 * into a copy of the template, cfn-lint run on it, and the function's identity policy (its SAM
 * `Policies` or its role's) with intrinsics resolved to concrete ARNs, for the IAM evaluator.
 */
import {execFile} from 'node:child_process'
import {promisify} from 'node:util'

import {isMap, isSeq, parseDocument} from 'yaml'

import type {PolicyDocument} from '../../src/core/iam-policy.js'
import type {TemplateEdit} from '../../src/core/scan/narrow-policy.js'
import {CFN_TAGS} from '../../src/core/scan/tree.js'

const run = promisify(execFile)
type Statement = Record<string, unknown>
export const AT = {partition: 'aws', region: 'eu-west-1', account: '123456789012'}

/** The template with each edit's value set at its path (an index one past a list's end appends). */
export function applyEdits(text: string, edits: readonly TemplateEdit[]): string {
  const doc = parseDocument(text, {customTags: CFN_TAGS})
  for (const edit of edits) {
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

/** The template as plain JSON (short tags in their long form). */
function templateJson(text: string): Record<string, any> {
  const doc = parseDocument(text, {customTags: CFN_TAGS})
  const toJson = (node: any): unknown => {
    if (node === null || node === undefined) return null
    const tag: string | undefined = node.tag?.startsWith('!') ? node.tag.slice(1) : undefined
    const plain = isSeq(node) ? node.items.map((item: any) => toJson(item)) : isMap(node) ? Object.fromEntries(node.items.map((pair: any) => [String(pair.key.value), toJson(pair.value)])) : node.value
    if (tag === undefined) return plain
    if (tag === 'GetAtt' && typeof plain === 'string') return {'Fn::GetAtt': plain.split('.')}
    return {[tag === 'Ref' ? 'Ref' : `Fn::${tag}`]: plain}
  }

  return toJson(doc.contents) as Record<string, any>
}

/** Intrinsics as concrete values: parameters by their default, resources and attributes by a made-up secret ARN. */
function resolved(value: unknown, parameters: Record<string, any>): unknown {
  if (Array.isArray(value)) return value.map((item) => resolved(item, parameters))
  if (typeof value !== 'object' || value === null) return value
  const entries = Object.entries(value)
  if (entries.length === 1) {
    const [fn, arg] = entries[0]
    if (fn === 'Ref') return parameters[arg as string]?.Default ?? secretArnOf(arg as string)
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
