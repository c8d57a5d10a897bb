/**
 * Reads a CloudFormation, SAM or CDK-synthesized template (YAML or JSON) into the entries the rules
 * judge: function and container environments (with SAM's Globals), SSM parameters, and the IAM that
 * reads secrets (roles, policies, SAM policy templates), each with the place of its value.
 */
import {isSeq, type Node} from 'yaml'

import type {PolicyStatement} from '../audit/iam.js'
import {cfnEnvValue, type EnvEntry, type Extracted, type ParameterEntry, type PolicyEntry, type StatementEntry} from './entries.js'
import type {TemplateFormat} from './findings.js'
import {nodeValue, type Position, type Tree} from './tree.js'

const FUNCTION_TYPES = new Set(['AWS::Serverless::Function', 'AWS::Lambda::Function'])

/**
 * AWS managed policies that read every secret. `SecretsManagerReadWrite` allows `secretsmanager:*` on
 * `*`; a template that attaches it has the first IAM mistake as surely as one that writes it out.
 */
const MANAGED_READ_ALL = new Set(['SecretsManagerReadWrite', 'AdministratorAccess', 'PowerUserAccess'])

/** SAM policy templates that read secret values, and the property that names the secret. */
const SAM_SECRET_TEMPLATES: Record<string, {property: string; actions: string[]}> = {
  AWSSecretsManagerGetSecretValuePolicy: {property: 'SecretArn', actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']},
}

/** True when the tree is a CloudFormation template: a `Resources` map of typed resources, or the format version. */
export function isCloudFormation(tree: Tree): boolean {
  const {root} = tree
  if (tree.get(root, 'AWSTemplateFormatVersion') !== undefined) return true
  const resources = tree.entries(tree.get(root, 'Resources'))
  return resources.length > 0 && resources.some(([, resource]) => /^(AWS|Custom)::/.test(literal(tree, tree.get(resource, 'Type')) ?? ''))
}

/** SAM when the template declares the Serverless transform; CDK when its resources carry `aws:cdk:path`. */
export function cloudFormationFlavour(tree: Tree, path: string): TemplateFormat {
  const transform = tree.get(tree.root, 'Transform')
  const transforms = isSeq(transform) ? tree.items(transform) : [transform]
  if (transforms.some((node) => (literal(tree, node) ?? '').startsWith('AWS::Serverless'))) return 'sam'
  if (/(^|[/\\])cdk\.out[/\\]/.test(path) || /\.template\.json$/.test(path)) return 'cdk'
  const first = tree.entries(tree.get(tree.root, 'Resources'))[0]
  if (first && tree.at(first[1], 'Metadata', 'aws:cdk:path') !== undefined) return 'cdk'
  return 'cloudformation'
}

function literal(tree: Tree, node: Node | undefined): string | undefined {
  const value = nodeValue(tree, node)
  return value.kind === 'literal' ? value.text : undefined
}

/** The logical id a `!Ref X` or `!GetAtt X.Arn` points to. */
function refTarget(tree: Tree, node: Node | undefined): string | undefined {
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

interface Resource {
  id: string
  type: string
  properties: Node | undefined
  node: Node
}

/** Reads every entry the rules judge from a CloudFormation-family template. */
export function extractCloudFormation(tree: Tree, format: TemplateFormat, root: Node | undefined = tree.root): Extracted {
  const extracted: Extracted = {format, env: [], parameters: [], policies: []}
  const resources: Resource[] = tree.entries(tree.get(root, 'Resources')).flatMap(([id, node]) => {
    const type = literal(tree, tree.get(node, 'Type'))
    return type && node ? [{id, type, properties: tree.get(node, 'Properties'), node}] : []
  })

  const functionName = (resource: Resource) => literal(tree, tree.get(resource.properties, 'FunctionName')) ?? resource.id
  const functions = resources.filter((resource) => FUNCTION_TYPES.has(resource.type))
  /** Who holds each role: the functions (and task definitions) that name it. */
  const holders = new Map<string, string[]>()
  const hold = (role: string | undefined, holder: string) => {
    if (role !== undefined) holders.set(role, [...(holders.get(role) ?? []), holder])
  }

  for (const fn of functions) hold(refTarget(tree, tree.get(fn.properties, 'Role')), functionName(fn))
  for (const task of resources.filter((resource) => resource.type === 'AWS::ECS::TaskDefinition')) {
    const family = literal(tree, tree.get(task.properties, 'Family')) ?? task.id
    hold(refTarget(tree, tree.get(task.properties, 'TaskRoleArn')), family)
  }

  // SAM's Globals apply to every AWS::Serverless::Function: one finding, where the value is written.
  const serverless = functions.filter((fn) => fn.type === 'AWS::Serverless::Function')
  const globalWorkload = serverless.length === 1 ? functionName(serverless[0]) : 'FUNCTION'
  extracted.env.push(...variables(tree, tree.at(root, 'Globals', 'Function', 'Environment', 'Variables'), 'Globals', globalWorkload, 'Globals.Function.Environment.Variables'))

  for (const resource of resources) {
    const {properties} = resource
    switch (resource.type) {
      case 'AWS::Serverless::Function':
      case 'AWS::Lambda::Function': {
        const name = functionName(resource)
        extracted.env.push(...variables(tree, tree.at(properties, 'Environment', 'Variables'), resource.id, name, `Environment.Variables of ${resource.id}`))
        if (resource.type === 'AWS::Serverless::Function') extracted.policies.push(...samPolicies(tree, resource, name))
        break
      }

      case 'AWS::ECS::TaskDefinition': {
        const family = literal(tree, tree.get(properties, 'Family')) ?? resource.id
        for (const container of tree.items(tree.get(properties, 'ContainerDefinitions'))) {
          const containerName = literal(tree, tree.get(container, 'Name')) ?? 'container'
          for (const item of tree.items(tree.get(container, 'Environment'))) {
            const variable = literal(tree, tree.get(item, 'Name'))
            const valueNode = tree.get(item, 'Value')
            const value = nodeValue(tree, valueNode)
            if (variable === undefined || value.kind === 'other') continue
            extracted.env.push({
              resource: resource.id,
              workload: family,
              where: `the Environment of container ${containerName} in ${resource.id}`,
              container: containerName,
              variable,
              value: cfnEnvValue(value),
              position: tree.position(valueNode),
            })
          }
        }

        break
      }

      case 'AWS::SSM::Parameter': {
        extracted.parameters.push(ssmParameter(tree, resource))
        break
      }

      case 'AWS::IAM::Role': {
        const roleHolders = holders.get(resource.id) ?? []
        for (const policy of tree.items(tree.get(properties, 'Policies'))) {
          extracted.policies.push({
            resource: resource.id,
            policy: literal(tree, tree.get(policy, 'PolicyName')),
            role: resource.id,
            holders: roleHolders,
            statements: statementsOf(tree, tree.get(policy, 'PolicyDocument')),
            position: tree.position(policy),
          })
        }

        for (const arn of tree.items(tree.get(properties, 'ManagedPolicyArns'))) {
          const text = nodeValue(tree, arn)
          const name = text.kind === 'literal' || text.kind === 'intrinsic' ? text.text.split('/').at(-1) : undefined
          if (name !== undefined && MANAGED_READ_ALL.has(name)) {
            extracted.policies.push(managedReadAll(tree, resource.id, name, resource.id, roleHolders, arn))
          }
        }

        break
      }

      case 'AWS::IAM::Policy':
      case 'AWS::IAM::ManagedPolicy': {
        const roles = tree.items(tree.get(properties, 'Roles')).map((node) => refTarget(tree, node) ?? literal(tree, node))
        const role = roles.find((name) => name !== undefined)
        extracted.policies.push({
          resource: resource.id,
          policy: literal(tree, tree.get(properties, 'PolicyName')) ?? literal(tree, tree.get(properties, 'ManagedPolicyName')),
          ...(role === undefined ? {} : {role}),
          holders: roles.flatMap((name) => (name === undefined ? [] : (holders.get(name) ?? []))),
          statements: statementsOf(tree, tree.get(properties, 'PolicyDocument')),
          position: tree.position(resource.node),
        })
        break
      }
    }
  }

  return extracted
}

function variables(tree: Tree, node: Node | undefined, resource: string, workload: string, where: string): EnvEntry[] {
  return tree.entries(node).flatMap(([variable, valueNode]) => {
    const value = nodeValue(tree, valueNode)
    if (value.kind === 'other') return []
    return [{resource, workload, where, variable, value: cfnEnvValue(value), position: tree.position(valueNode)}]
  })
}

function ssmParameter(tree: Tree, resource: Resource): ParameterEntry {
  const nameNode = tree.get(resource.properties, 'Name')
  const name = nodeValue(tree, nameNode)
  const valueNode = tree.get(resource.properties, 'Value')
  const value = nodeValue(tree, valueNode)
  return {
    resource: resource.id,
    ...(name.kind === 'other' ? {} : {name: name.text}),
    ...(value.kind === 'literal' ? {value: value.text} : {}),
    position: tree.position(valueNode ?? nameNode ?? resource.node),
  }
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
function samPolicies(tree: Tree, fn: Resource, name: string): PolicyEntry[] {
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
