/**
 * Reads a Serverless Framework `serverless.yml` (v3 and v4): `provider.environment` (every function),
 * `functions.*.environment`, `provider.iam.role.statements` and the older `provider.iamRoleStatements`
 * (one role for every function), per-function `iamRoleStatements`, and the CloudFormation under
 * `resources`. Variables are read for where they come from: `${ssm:...}`, Secrets Manager through
 * `${ssm:/aws/reference/secretsmanager/...}`, `${env:...}` and `${file(...)}` are resolved at deploy
 * and land in the function's configuration; `${self:...}`, `${opt:...}`, `${sls:...}` are configuration.
 */
import type {Node} from 'yaml'

import {statementList} from './cfn-iam.js'
import {extractCloudFormation} from './cloudformation.js'
import type {EnvEntry, EnvValue, Extracted, PolicyEntry} from './entries.js'
import {nodeValue, type Tree} from './tree.js'

/** `service` and a `provider` (named aws, or a map with a runtime): a Serverless Framework file. */
export function isServerless(tree: Tree): boolean {
  const {root} = tree
  if (tree.get(root, 'service') === undefined) return false
  const provider = tree.get(root, 'provider')
  const name = nodeValue(tree, tree.get(provider, 'name'))
  return name.kind === 'literal' ? name.text === 'aws' : tree.get(provider, 'runtime') !== undefined
}

const VARIABLE = /\$\{([^{}]*)\}/g

/** Where a string's deploy-time variables take it from; the first one that reads a store or the shell decides. */
export function serverlessEnvValue(text: string): EnvValue {
  for (const [, inner] of text.matchAll(VARIABLE)) {
    const source = inner.split(',')[0].trim()
    const secretsManager = /^ssm:\/?aws\/reference\/secretsmanager\/(.+)$/.exec(source) ?? /^(?:aws:)?secretsmanager[:(](.+?)\)?$/.exec(source)
    if (secretsManager) return {kind: 'resolved', source: 'secretsmanager', path: secretsManager[1].replace(/~true$/, '')}
    const ssm = /^ssm(?:\([^)]*\))?:(.+)$/.exec(source)
    if (ssm) return {kind: 'resolved', source: 'ssm', path: ssm[1].replace(/~(true|false)$/, '')}
    const env = /^env:(.+)$/.exec(source)
    if (env) return {kind: 'resolved', source: 'env', path: env[1].trim()}
    const file = /^file\((.+?)\)/.exec(source)
    if (file) return {kind: 'resolved', source: 'file', path: file[1]}
  }

  if (/\$\{/.test(text)) return {kind: 'reference'}
  return {kind: 'literal', text}
}

/** Serverless's own variables carry colons that would break an ARN apart. */
function withVariables(text: string): string {
  return text
    .replaceAll('${aws:region}', 'region')
    .replaceAll('${aws:accountId}', '123456789012')
    .replaceAll('${aws:partition}', 'aws')
    .replaceAll(/\$\{([^{}]*)\}/g, (_, inner: string) => `\${${inner.replaceAll(':', '.')}}`)
}

export function extractServerless(tree: Tree): Extracted {
  const extracted: Extracted = {format: 'serverless', env: [], parameters: [], policies: []}
  const {root} = tree
  const literal = (node: Node | undefined) => {
    const value = nodeValue(tree, node)
    return value.kind === 'literal' ? value.text : undefined
  }

  const service = literal(tree.get(root, 'service')) ?? 'service'
  const provider = tree.get(root, 'provider')
  const stage = literal(tree.get(provider, 'stage'))
  const functions = tree.entries(tree.get(root, 'functions')).map(([key, node]) => ({
    key,
    node,
    name: literal(tree.get(node, 'name')) ?? (stage ? `${service}-${stage}-${key}` : `${service}-${key}`),
  }))
  const everyFunction = functions.map((fn) => fn.name)

  const variables = (node: Node | undefined, resource: string, workload: string, where: string): EnvEntry[] =>
    tree.entries(node).flatMap(([variable, valueNode]) => {
      const value = nodeValue(tree, valueNode)
      if (value.kind === 'other') return []
      const envValue: EnvValue = value.kind === 'literal' ? serverlessEnvValue(value.text) : {kind: 'reference'}
      return [{resource, workload, where, variable, value: envValue, position: tree.position(valueNode)}]
    })

  extracted.env.push(...variables(tree.get(provider, 'environment'), 'provider', functions.length === 1 ? functions[0].name : service, 'provider.environment'))
  for (const fn of functions) extracted.env.push(...variables(tree.get(fn.node, 'environment'), `functions.${fn.key}`, fn.name, `functions.${fn.key}.environment`))

  // One role for every function: provider.iam.role.statements (v3, v4) or provider.iamRoleStatements (v1, v2).
  for (const [path, node] of [
    ['provider.iam.role.statements', tree.at(provider, 'iam', 'role', 'statements')],
    ['provider.iamRoleStatements', tree.get(provider, 'iamRoleStatements')],
  ] as const) {
    if (node === undefined) continue
    extracted.policies.push(policy(tree, path, 'provider.iam', everyFunction, node))
  }

  // Per-function roles (serverless-iam-roles-per-function): iamRoleStatements under the function.
  for (const fn of functions) {
    const node = tree.get(fn.node, 'iamRoleStatements')
    if (node !== undefined) extracted.policies.push(policy(tree, `functions.${fn.key}.iamRoleStatements`, `functions.${fn.key}`, [fn.name], node))
  }

  const resources = tree.get(root, 'resources')
  if (tree.get(resources, 'Resources') !== undefined) {
    const cloudFormation = extractCloudFormation(tree, 'serverless', resources)
    extracted.env.push(...cloudFormation.env)
    extracted.parameters.push(...cloudFormation.parameters)
    extracted.policies.push(...cloudFormation.policies)
    if (cloudFormation.secretPolicies) extracted.secretPolicies = cloudFormation.secretPolicies
  }

  return extracted
}

function policy(tree: Tree, resource: string, role: string, holders: string[], statements: Node): PolicyEntry {
  return {resource, role, holders, statements: statementList(tree, tree.items(statements), withVariables), position: tree.position(statements)}
}
