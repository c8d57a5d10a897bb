/**
 * The resource policies of secrets in Terraform: `aws_secretsmanager_secret_policy` and the `policy`
 * argument of `aws_secretsmanager_secret` (the AWS provider still takes it), written as
 * `jsonencode({...})`, a JSON string or heredoc, or `data.aws_iam_policy_document.NAME.json` of the
 * same file. Statements keep their principals and conditions for core/audit/resource-policy.ts.
 */
import type {ResourcePolicyStatement} from '../audit/resource-policy.js'
import type {SecretPolicyEntry} from './entries.js'
import type {Position} from './tree.js'

type Json = null | boolean | number | string | Json[] | {[key: string]: Json}
type Block = Record<string, Json>
type Group = Record<string, Record<string, Json>>

/** What terraform.ts lends: a policy expression read as data, and where an argument's value is. */
export interface TerraformReading {
  document(text: string): Promise<Json | undefined>
  at(type: string, name: string, key: string): Position
}

const isBlock = (value: unknown): value is Block => typeof value === 'object' && value !== null && !Array.isArray(value)
const blocks = (value: Json | undefined): Block[] => (Array.isArray(value) ? value.filter(isBlock) : isBlock(value) ? [value] : [])
const strings = (value: Json | undefined): string[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((item): item is string => typeof item === 'string')

/** `${data.aws_iam_policy_document.NAME.json}`: the name, when that is the whole expression. */
const DOCUMENT_REFERENCE = /^\$\{data\.aws_iam_policy_document\.([\w-]+)\.json\}$/

/** `${aws_secretsmanager_secret.NAME.arn}` or `.id`: the secret's address; a literal ARN or name as it is. */
function secretOf(value: Json | undefined): string | undefined {
  if (typeof value !== 'string') return undefined
  const reference = /^\$\{(aws_secretsmanager_secret\.[\w-]+)\.(?:arn|id)\}$/.exec(value)
  return reference ? reference[1] : value
}

/** An `aws_iam_policy_document`'s statements in IAM's JSON shape: principals, resources and conditions included. */
export function documentStatements(block: Block): ResourcePolicyStatement[] {
  return blocks(block.statement).map((statement) => {
    const principalsOf = (key: string) => {
      const out: Record<string, string[]> = {}
      for (const principal of blocks(statement[key])) {
        const type = typeof principal.type === 'string' ? principal.type : 'AWS'
        out[type] = [...(out[type] ?? []), ...strings(principal.identifiers)]
      }

      // `type = "*"` with `identifiers = ["*"]` is the JSON `Principal: "*"`.
      return out['*'] ? '*' : Object.keys(out).length > 0 ? out : undefined
    }

    const condition: Record<string, Record<string, string[]>> = {}
    for (const item of blocks(statement.condition)) {
      if (typeof item.test !== 'string' || typeof item.variable !== 'string') continue
      condition[item.test] = {...condition[item.test], [item.variable]: strings(item.values)}
    }

    const principal = principalsOf('principals')
    const notPrincipal = principalsOf('not_principals')
    return {
      Effect: statement.effect === 'Deny' ? 'Deny' : 'Allow',
      ...(typeof statement.sid === 'string' && statement.sid ? {Sid: statement.sid} : {}),
      ...(statement.actions === undefined ? {} : {Action: strings(statement.actions)}),
      ...(statement.not_actions === undefined ? {} : {NotAction: strings(statement.not_actions)}),
      ...(statement.resources === undefined ? {} : {Resource: strings(statement.resources)}),
      ...(statement.not_resources === undefined ? {} : {NotResource: strings(statement.not_resources)}),
      ...(principal === undefined ? {} : {Principal: principal}),
      ...(notPrincipal === undefined ? {} : {NotPrincipal: notPrincipal}),
      ...(Object.keys(condition).length > 0 ? {Condition: condition} : {}),
    }
  })
}

/** The policy argument as statements, or undefined when it cannot be read here (another file's data source, a variable). */
async function policyStatements(value: Json | undefined, data: Group, reading: TerraformReading): Promise<ResourcePolicyStatement[] | undefined> {
  if (typeof value !== 'string') return undefined
  const reference = DOCUMENT_REFERENCE.exec(value.trim())
  if (reference) {
    const [document] = blocks(data.aws_iam_policy_document?.[reference[1]])
    return document ? documentStatements(document) : undefined
  }

  const document = await reading.document(value)
  if (!isBlock(document)) return undefined
  return blocks(document.Statement) as ResourcePolicyStatement[]
}

/** Every secret's resource policy of the file. */
export async function secretPolicies(resources: Group, data: Group, reading: TerraformReading): Promise<SecretPolicyEntry[]> {
  const out: SecretPolicyEntry[] = []
  for (const [type, secretKey] of [
    ['aws_secretsmanager_secret_policy', 'secret_arn'],
    ['aws_secretsmanager_secret', undefined],
  ] as const) {
    for (const [name, body] of Object.entries(resources[type] ?? {})) {
      for (const block of blocks(body)) {
        const statements = await policyStatements(block.policy, data, reading)
        if (statements === undefined) continue
        const position = reading.at(type, name, 'policy')
        const secret = secretKey === undefined ? `${type}.${name}` : secretOf(block[secretKey])
        out.push({
          resource: `${type}.${name}`,
          ...(secret === undefined ? {} : {secret}),
          statements: statements.map((statement) => ({statement, position})),
          ...(typeof block.block_public_policy === 'boolean' ? {blockPublicPolicy: block.block_public_policy} : {}),
          position,
        })
      }
    }
  }

  return out
}
