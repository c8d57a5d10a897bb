/**
 * The IAM of a CloudFormation-family template: policy documents as statements (with where each
 * resource pattern is written), roles and their inline policies, AWS managed policies that read every
 * secret, and SAM's `Policies` (managed names, policy templates, inline documents).
 */
import {isSeq, type Node} from 'yaml'

import type {PolicyStatement} from '../audit/iam.js'
import type {PolicyEntry, StatementEntry} from './entries.js'
import {nodeValue, type Position, type Tree} from './tree.js'

/**
 * AWS managed policies that read every secret. `SecretsManagerReadWrite` allows `secretsmanager:*` on
 * `*`; a template that attaches it has the first IAM mistake as surely as one that writes it out.
 */
const MANAGED_READ_ALL = new Set(['SecretsManagerReadWrite', 'AdministratorAccess', 'PowerUserAccess'])

/** SAM policy templates that read secret values, and the property that names the secret. */
const SAM_SECRET_TEMPLATES: Record<string, {property: string; actions: string[]}> = {
  AWSSecretsManagerGetSecretValuePolicy: {property: 'SecretArn', actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']},
}

/** A resource of the template: logical id, type, properties. */
export interface Resource {
  id: string
  type: string
  properties: Node | undefined
  node: Node
}

export function literal(tree: Tree, node: Node | undefined): string | undefined {
  const value = nodeValue(tree, node)
  return value.kind === 'literal' ? value.text : undefined
}

/** The logical id a `!Ref X` or `!GetAtt X.Arn` points to. */
export function refTarget(tree: Tree, node: Node | undefined): string | undefined {
  const value = nodeValue(tree, node)
  if (value.kind !== 'intrinsic') return undefined
  const match = /^\$\{(?:Ref|Fn::GetAtt) ([^.}]+)/.exec(value.text)
  if (match) return match[1]
  if (value.fn === 'Fn::GetAtt') {
    const arg = node?.tag ? node : tree.get(node, 'Fn::GetAtt')
    return literal(tree, tree.items(arg)[0])
  }

  return undefined
}

/** Pseudo parameters carry colons that would break an ARN apart; each becomes a stand-in without one. */
function withPseudoParameters(text: string): string {
  return text
    .replaceAll('${AWS::Partition}', 'aws')
    .replaceAll('${AWS::Region}', 'region')
    .replaceAll('${AWS::AccountId}', '123456789012')
    .replaceAll('${AWS::URLSuffix}', 'amazonaws.com')
    .replaceAll(/\$\{AWS::(\w+)\}/g, (_, name: string) => name.toLowerCase())
}

/** A statement's `Resource` as patterns: literals, `!Sub`/`!Join` text; a `!Ref` or `!GetAtt` names one resource and is left out. */
function patterns(tree: Tree, node: Node | undefined, positions: Map<string, Position>, normalize: (text: string) => string): string[] | undefined {
  if (node === undefined) return undefined
  const list = isSeq(node) && !node.tag ? tree.items(node) : [node]
  const out: string[] = []
  for (const item of list) {
    const value = nodeValue(tree, item)
    let text: string | undefined
    if (value.kind === 'literal') text = normalize(value.text)
    else if (value.kind === 'intrinsic' && (value.fn === 'Fn::Sub' || value.fn === 'Fn::Join')) text = normalize(withPseudoParameters(value.text))
    if (text === undefined) continue
    out.push(text)
    if (!positions.has(text)) positions.set(text, tree.position(item))
  }

  return out
}

function actions(tree: Tree, node: Node | undefined): string[] | undefined {
  if (node === undefined) return undefined
  const list = isSeq(node) ? tree.items(node) : [node]
  return list.map((item) => literal(tree, item)).filter((text): text is string => text !== undefined)
}

/** A policy document node as statements, each with where its resources are written. */
export function statementsOf(tree: Tree, document: Node | undefined, normalize: (text: string) => string = (text) => text): StatementEntry[] {
  const statementNode = tree.get(document, 'Statement')
  return statementList(tree, isSeq(statementNode) ? tree.items(statementNode) : statementNode ? [statementNode] : [], normalize)
}

/** Statement nodes as statements, each with where its resources are written. */
export function statementList(tree: Tree, nodes: Node[], normalize: (text: string) => string): StatementEntry[] {
  return nodes.map((node) => {
    const positions = new Map<string, Position>()
    const statement: PolicyStatement = {}
    const sid = literal(tree, tree.get(node, 'Sid'))
    if (sid) statement.Sid = sid
    statement.Effect = literal(tree, tree.get(node, 'Effect'))
    const action = actions(tree, tree.get(node, 'Action'))
    if (action) statement.Action = action
    const notAction = actions(tree, tree.get(node, 'NotAction'))
    if (notAction) statement.NotAction = notAction
    const resource = patterns(tree, tree.get(node, 'Resource'), positions, normalize)
    if (resource) statement.Resource = resource
    const notResource = patterns(tree, tree.get(node, 'NotResource'), positions, normalize)
    if (notResource) statement.NotResource = notResource
    if (tree.get(node, 'Condition') !== undefined) statement.Condition = {condition: true}
    return {statement, positions, position: tree.position(node)}
  })
}

function managedReadAll(tree: Tree, resource: string, name: string, role: string | undefined, holders: string[], node: Node): PolicyEntry {
  const position = tree.position(node)
  return {
    resource,
    policy: name,
    ...(role === undefined ? {} : {role}),
    holders,
    statements: [{statement: {Sid: name, Effect: 'Allow', Action: ['secretsmanager:*'], Resource: ['*']}, positions: new Map([['*', position]]), position}],
    position,
  }
}

/** A SAM function's `Policies`: managed policy names, SAM policy templates and inline documents. */
export function samPolicies(tree: Tree, fn: Resource, name: string): PolicyEntry[] {
  const node = tree.get(fn.properties, 'Policies')
  const items = isSeq(node) ? tree.items(node) : node ? [node] : []
  const role = `${fn.id}Role`
  const out: PolicyEntry[] = []
  for (const item of items) {
    const managed = literal(tree, item)
    if (managed !== undefined) {
      if (MANAGED_READ_ALL.has(managed.split('/').at(-1) ?? managed)) out.push(managedReadAll(tree, fn.id, managed, role, [name], item))
      continue
    }

    if (tree.get(item, 'Statement') !== undefined) {
      out.push({resource: fn.id, policy: 'Policies', role, holders: [name], statements: statementsOf(tree, item), position: tree.position(item)})
      continue
    }

    for (const [template, args] of tree.entries(item)) {
      const known = SAM_SECRET_TEMPLATES[template]
      if (!known) continue
      const positions = new Map<string, Position>()
      const resource = patterns(tree, tree.get(args, known.property), positions, (text) => text) ?? []
      out.push({
        resource: fn.id,
        policy: template,
        role,
        holders: [name],
        statements: [{statement: {Effect: 'Allow', Action: known.actions, Resource: resource}, positions, position: tree.position(args)}],
        position: tree.position(item),
      })
    }
  }

  return out
}

/** An AWS::IAM::Role's inline policies and the managed policies it attaches that read every secret. */
export function rolePolicies(tree: Tree, resource: Resource, holders: string[]): PolicyEntry[] {
  const out: PolicyEntry[] = []
  for (const policy of tree.items(tree.get(resource.properties, 'Policies'))) {
    out.push({
      resource: resource.id,
      policy: literal(tree, tree.get(policy, 'PolicyName')),
      role: resource.id,
      holders,
      statements: statementsOf(tree, tree.get(policy, 'PolicyDocument')),
      position: tree.position(policy),
    })
  }

  for (const arn of tree.items(tree.get(resource.properties, 'ManagedPolicyArns'))) {
    const text = nodeValue(tree, arn)
    const name = text.kind === 'literal' || text.kind === 'intrinsic' ? text.text.split('/').at(-1) : undefined
    if (name !== undefined && MANAGED_READ_ALL.has(name)) out.push(managedReadAll(tree, resource.id, name, resource.id, holders, arn))
  }

  return out
}

/** An AWS::IAM::Policy or ManagedPolicy, held through the roles it names. */
export function standalonePolicy(tree: Tree, resource: Resource, holders: ReadonlyMap<string, string[]>): PolicyEntry {
  const {properties} = resource
  const roles = tree.items(tree.get(properties, 'Roles')).map((node) => refTarget(tree, node) ?? literal(tree, node))
  const role = roles.find((name) => name !== undefined)
  return {
    resource: resource.id,
    policy: literal(tree, tree.get(properties, 'PolicyName')) ?? literal(tree, tree.get(properties, 'ManagedPolicyName')),
    ...(role === undefined ? {} : {role}),
    holders: roles.flatMap((name) => (name === undefined ? [] : (holders.get(name) ?? []))),
    statements: statementsOf(tree, tree.get(properties, 'PolicyDocument')),
    position: tree.position(resource.node),
  }
}
