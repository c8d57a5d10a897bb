/**
 * The IAM of a CloudFormation-family template: policy documents as statements (with where each
 * resource pattern is written), the inline policies of roles, users and groups, the policies attached
 * to them, AWS managed policies that read every secret, and SAM's `Policies` (managed names, policy
 * templates, inline documents). A policy written with `Fn::If` is read once per way its conditions
 * can go, each reading marked with them, so each branch is judged as the template could deploy it.
 */
import {isSeq, type Node} from 'yaml'

import {type AwsManagedPolicy, awsManagedReadAll, describeAwsManaged} from '../audit/aws-managed-policies.js'
import type {PolicyStatement} from '../audit/iam.js'
import type {PolicyEntry, PolicyPlace, PolicyPrincipal, StatementEntry, TemplatePath} from './entries.js'
import {cfnJson, nodeValue, type Position, type Tree} from './tree.js'

/**
 * More conditions than this in one resource's policies are not all enumerated (2^n readings): the
 * ones past it take their first branch.
 */
const MAX_CONDITIONS = 5

/**
 * Which way each `Fn::If` of a reading goes, and the conditions it met. A condition it was not told
 * takes its first branch (and is recorded, so the next round enumerates it).
 */
class Branches {
  readonly met = new Set<string>()

  constructor(private readonly when: ReadonlyMap<string, boolean> = new Map()) {}

  /** The node itself, or the branch an `Fn::If` takes; undefined for `!Ref AWS::NoValue`. */
  pick(tree: Tree, node: Node | undefined): Node | undefined {
    let current = node
    for (let depth = 0; depth < 32; depth++) {
      const branch = ifOf(tree, current)
      if (branch === undefined) return isNoValue(tree, current) ? undefined : current
      this.met.add(branch.condition)
      current = (this.when.get(branch.condition) ?? true) ? branch.then : branch.else
    }

    return undefined
  }

  /** The items of a list (itself possibly a branch), each branch picked; absent items left out. */
  items(tree: Tree, node: Node | undefined): Node[] {
    const list = this.pick(tree, node)
    return tree.items(list).flatMap((item) => {
      const picked = this.pick(tree, item)
      return picked === undefined ? [] : [picked]
    })
  }
}

/** `!If [Cond, A, B]` or `{"Fn::If": [Cond, A, B]}`. */
function ifOf(tree: Tree, node: Node | undefined): {condition: string; then: Node | undefined; else: Node | undefined} | undefined {
  if (node === undefined) return undefined
  const args = node.tag === '!If' ? node : tree.entries(node).length === 1 ? tree.get(node, 'Fn::If') : undefined
  if (args === undefined || !isSeq(args)) return undefined
  const [condition, then, otherwise] = tree.items(args)
  const name = nodeValue(tree, condition, true)
  if (name.kind !== 'literal') return undefined
  return {condition: name.text, then, else: otherwise}
}

function isNoValue(tree: Tree, node: Node | undefined): boolean {
  const value = nodeValue(tree, node)
  return value.kind === 'intrinsic' && value.fn === 'Ref' && value.text === '${Ref AWS::NoValue}'
}

/**
 * Reads a resource's policies once per way the conditions its `Fn::If`s meet can go (all of them,
 * up to MAX_CONDITIONS), each entry marked with the way it was read.
 */
function overBranches(read: (branches: Branches) => PolicyEntry[]): PolicyEntry[] {
  let conditions: string[] = []
  for (;;) {
    const out: PolicyEntry[] = []
    const met = new Set<string>()
    for (const when of assignments(conditions)) {
      const branches = new Branches(when)
      const entries = read(branches)
      for (const name of branches.met) met.add(name)
      out.push(...(conditions.length === 0 ? entries : entries.map((entry) => ({...entry, when: Object.fromEntries(when)}))))
    }

    const fresh = [...met].filter((name) => !conditions.includes(name))
    if (fresh.length === 0 || conditions.length >= MAX_CONDITIONS) return out
    conditions = [...conditions, ...fresh].slice(0, MAX_CONDITIONS)
  }
}

/** Every way the conditions can go: true first. */
function assignments(conditions: readonly string[]): Array<Map<string, boolean>> {
  let out: Array<Map<string, boolean>> = [new Map()]
  for (const name of conditions) out = out.flatMap((when) => [new Map([...when, [name, true]]), new Map([...when, [name, false]])])
  return out
}

/**
 * SAM policy templates that read secret values, the property that names what they read, and the
 * resource SAM builds from it (as SAM's policy_templates.json writes it).
 */
const SAM_SECRET_TEMPLATES: Record<string, {property: string; actions: string[]; resource: (name: string) => string}> = {
  AWSSecretsManagerGetSecretValuePolicy: {property: 'SecretArn', actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resource: (arn) => arn},
  SSMParameterReadPolicy: {
    property: 'ParameterName',
    actions: ['ssm:GetParameters', 'ssm:GetParameter', 'ssm:GetParametersByPath'],
    resource: (name) => `arn:aws:ssm:region:123456789012:parameter/${name}`,
  },
  SSMParameterWithSlashPrefixReadPolicy: {
    property: 'ParameterName',
    actions: ['ssm:GetParameters', 'ssm:GetParameter', 'ssm:GetParametersByPath'],
    resource: (name) => `arn:aws:ssm:region:123456789012:parameter${name}`,
  },
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
function patterns(tree: Tree, node: Node | undefined, positions: Map<string, Position>, normalize: (text: string) => string, branches: Branches): string[] | undefined {
  const picked = branches.pick(tree, node)
  if (picked === undefined) return undefined
  const list = isSeq(picked) && !picked.tag ? branches.items(tree, picked) : [picked]
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

function actions(tree: Tree, node: Node | undefined, branches: Branches): string[] | undefined {
  const picked = branches.pick(tree, node)
  if (picked === undefined) return undefined
  const list = isSeq(picked) ? branches.items(tree, picked) : [picked]
  return list.map((item) => literal(tree, item)).filter((text): text is string => text !== undefined)
}

/** A policy document node as statements, each with where its resources are written. */
export function statementsOf(tree: Tree, document: Node | undefined, normalize: (text: string) => string = (text) => text, branches = new Branches()): StatementEntry[] {
  const picked = branches.pick(tree, document)
  const statementNode = branches.pick(tree, tree.get(picked, 'Statement'))
  if (statementNode === undefined) return jsonStatements(tree, picked, normalize)
  return statementList(tree, isSeq(statementNode) ? branches.items(tree, statementNode) : statementNode ? [statementNode] : [], normalize, branches)
}

/**
 * A policy document written as a JSON string (`PolicyDocument: !Sub | {"Statement": [...]}`), as
 * CloudFormation accepts it: its statements, each placed at the document. Substitutions become their
 * names, so a `${AWS::AccountId}` or `${BucketName}` does not break the JSON.
 */
function jsonStatements(tree: Tree, node: Node | undefined, normalize: (text: string) => string): StatementEntry[] {
  const value = nodeValue(tree, node)
  if (value.kind !== 'literal' && !(value.kind === 'intrinsic' && value.fn === 'Fn::Sub')) return []
  let parsed: unknown
  try {
    parsed = JSON.parse(withPseudoParameters(value.text).replaceAll(/\$\{([^}]*)\}/g, '$1'))
  } catch {
    return []
  }

  const statement = (parsed as {Statement?: unknown} | null)?.Statement
  const list = (Array.isArray(statement) ? statement : statement === undefined ? [] : [statement]).filter(
    (item): item is PolicyStatement => typeof item === 'object' && item !== null && !Array.isArray(item),
  )
  const position = tree.position(node)
  return list.map((item) => {
    const statement: PolicyStatement = {...item}
    const resources = (list: string | string[] | undefined) => (list === undefined ? undefined : (Array.isArray(list) ? list : [list]).map((pattern) => normalize(String(pattern))))
    if (item.Resource !== undefined) statement.Resource = resources(item.Resource)
    if (item.NotResource !== undefined) statement.NotResource = resources(item.NotResource)
    if (item.Condition !== undefined) statement.Condition = {condition: true}
    const positions = new Map([...(statement.Resource ?? []), ...(statement.NotResource ?? [])].map((pattern) => [pattern, position] as const))
    return {statement, positions, position}
  })
}

/** Statement nodes as statements, each with where its resources are written. */
export function statementList(tree: Tree, nodes: Node[], normalize: (text: string) => string, branches = new Branches()): StatementEntry[] {
  return nodes.flatMap((written) => {
    const node = branches.pick(tree, written)
    if (node === undefined) return []
    const positions = new Map<string, Position>()
    const statement: PolicyStatement = {}
    const sid = literal(tree, tree.get(node, 'Sid'))
    if (sid) statement.Sid = sid
    statement.Effect = literal(tree, branches.pick(tree, tree.get(node, 'Effect')))
    const action = actions(tree, tree.get(node, 'Action'), branches)
    if (action) statement.Action = action
    const notAction = actions(tree, tree.get(node, 'NotAction'), branches)
    if (notAction) statement.NotAction = notAction
    const resource = patterns(tree, tree.get(node, 'Resource'), positions, normalize, branches)
    if (resource) statement.Resource = resource
    const notResource = patterns(tree, tree.get(node, 'NotResource'), positions, normalize, branches)
    if (notResource) statement.NotResource = notResource
    if (branches.pick(tree, tree.get(node, 'Condition')) !== undefined) statement.Condition = {condition: true}
    const json = cfnJson(tree, node)
    return [{statement, positions, position: tree.position(node), ...(isRecord(json) ? {written: json} : {})}]
  })
}

/** An attached AWS managed policy that reads every secret, as the statements that do, placed where it is named. */
function managedReadAll(tree: Tree, managed: AwsManagedPolicy, node: Node, holding: Pick<PolicyEntry, 'resource' | 'role' | 'holders' | 'principals'>): PolicyEntry {
  const position = tree.position(node)
  return {
    ...holding,
    policy: managed.name,
    managed: describeAwsManaged(managed),
    statements: managed.statements.map((statement) => ({
      statement: {Sid: managed.name, ...statement},
      positions: new Map([...asPatterns(statement.Resource), ...asPatterns(statement.NotResource)].map((pattern) => [pattern, position])),
      position,
    })),
    position,
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * The place of a policy document's statement list, when a fix can replace it: written as a map (not
 * a JSON string), its statements not chosen by an `Fn::If`.
 */
function statementsPlace(tree: Tree, document: Node | undefined, at: TemplatePath): PolicyPlace | undefined {
  const statement = tree.get(document, 'Statement')
  if (statement === undefined || nodeValue(tree, statement).kind === 'intrinsic') return undefined
  if (isSeq(statement) && tree.items(statement).some((item) => nodeValue(tree, item).kind === 'intrinsic')) return undefined
  return {kind: 'statements', at: [...at, 'Statement']}
}

/** Where a list's item is, or the list's own place when it is a single item written without a list. */
function itemPath(tree: Tree, list: Node | undefined, item: Node, at: TemplatePath): TemplatePath | undefined {
  if (!isSeq(list)) return list === item ? at : undefined
  const index = tree.items(list).indexOf(item)
  return index === -1 ? undefined : [...at, index]
}

/** Who may assume a role: the services and identity providers its trust policy names. */
function trustedPrincipals(tree: Tree, role: Resource): string[] {
  const out: string[] = []
  for (const statement of tree.items(tree.at(role.properties, 'AssumeRolePolicyDocument', 'Statement'))) {
    const principal = tree.get(statement, 'Principal')
    for (const key of ['Service', 'Federated']) {
      const node = tree.get(principal, key)
      for (const item of isSeq(node) ? tree.items(node) : node ? [node] : []) {
        const name = literal(tree, item)
        if (name !== undefined) out.push(name)
      }
    }
  }

  return out
}

const asPatterns = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value])

/** The AWS managed policy an ARN (literal, `!Sub` or `!Join`) attaches, if the table says it reads every secret. */
function attachedReadAll(tree: Tree, node: Node): AwsManagedPolicy | undefined {
  const value = nodeValue(tree, node)
  if (value.kind === 'other') return undefined
  return awsManagedReadAll(withPseudoParameters(value.text))
}

/** A SAM function's `Policies`: managed policy names, SAM policy templates and inline documents. */
export function samPolicies(tree: Tree, fn: Resource, name: string): PolicyEntry[] {
  return overBranches((branches) => {
    const role = `${fn.id}Role`
    const holding = {resource: fn.id, role, holders: [name], assumedBy: ['lambda.amazonaws.com']}
    const out: PolicyEntry[] = []
    const written = tree.get(fn.properties, 'Policies')
    const node = branches.pick(tree, written)
    const policiesPath: TemplatePath = ['Resources', fn.id, 'Properties', 'Policies']
    const attachedPlace: PolicyPlace | undefined =
      written === node && (isSeq(node) || node === undefined) ? {kind: 'attached', policies: policiesPath, count: tree.items(node).length, bare: true} : undefined
    for (const item of isSeq(node) ? branches.items(tree, node) : node ? [node] : []) {
      const path = written === node ? itemPath(tree, node, item, policiesPath) : undefined
      const managed = literal(tree, item)
      if (managed !== undefined) {
        // SAM takes an AWS managed policy by its bare name or its ARN.
        const known = awsManagedReadAll(withPseudoParameters(managed), true)
        if (known) out.push({...managedReadAll(tree, known, item, holding), ...(attachedPlace ? {place: attachedPlace} : {})})
        continue
      }

      const attached = attachedReadAll(tree, item)
      if (attached) {
        out.push({...managedReadAll(tree, attached, item, holding), ...(attachedPlace ? {place: attachedPlace} : {})})
        continue
      }

      if (tree.get(item, 'Statement') !== undefined) {
        const place = path && statementsPlace(tree, item, path)
        out.push({...holding, policy: 'Policies', statements: statementsOf(tree, item, undefined, branches), position: tree.position(item), ...(place ? {place} : {})})
        continue
      }

      for (const [template, args] of tree.entries(item)) {
        const known = SAM_SECRET_TEMPLATES[template]
        if (!known) continue
        const positions = new Map<string, Position>()
        const resource = patterns(tree, tree.get(args, known.property), positions, known.resource, branches) ?? []
        // As SAM writes it, so a reference it names (`SecretArn: !Ref Secret`) tells the function's other policies what it reads.
        const written = known.property === 'SecretArn' ? {written: {Effect: 'Allow', Action: known.actions, Resource: [cfnJson(tree, tree.get(args, known.property))]}} : {}
        out.push({
          ...holding,
          policy: template,
          statements: [{statement: {Effect: 'Allow', Action: known.actions, Resource: resource}, positions, position: tree.position(args), ...written}],
          position: tree.position(item),
          ...(path ? {place: {kind: 'item', at: path} as const} : {}),
        })
      }
    }

    return out
  })
}

/**
 * The inline policies (`Policies`) and attached AWS managed policies (`ManagedPolicyArns`) of an
 * AWS::IAM::Role, User or Group. A role's are held by the functions that run as it; a user's or
 * group's by the user or group itself.
 */
export function principalPolicies(tree: Tree, resource: Resource, holders: string[]): PolicyEntry[] {
  const principal = principalOf(tree, resource)
  const holding = principal
    ? {resource: resource.id, holders: [], principals: [principal]}
    : {resource: resource.id, role: resource.id, holders, assumedBy: trustedPrincipals(tree, resource)}
  const policiesPath: TemplatePath = ['Resources', resource.id, 'Properties', 'Policies']
  const written = tree.get(resource.properties, 'Policies')
  const attachedPlace: PolicyPlace | undefined =
    written === undefined || (isSeq(written) && nodeValue(tree, written).kind !== 'intrinsic')
      ? {kind: 'attached', policies: policiesPath, count: tree.items(written).length, bare: false}
      : undefined
  return overBranches((branches) => {
    const out: PolicyEntry[] = []
    for (const policy of branches.items(tree, written)) {
      const path = itemPath(tree, written, policy, policiesPath)
      const document = tree.get(policy, 'PolicyDocument')
      const place = path && branches.pick(tree, document) === document ? statementsPlace(tree, document, [...path, 'PolicyDocument']) : undefined
      out.push({
        ...holding,
        policy: literal(tree, tree.get(policy, 'PolicyName')),
        statements: statementsOf(tree, document, undefined, branches),
        position: tree.position(policy),
        ...(place ? {place} : {}),
      })
    }

    for (const arn of branches.items(tree, tree.get(resource.properties, 'ManagedPolicyArns'))) {
      const managed = attachedReadAll(tree, arn)
      if (managed) out.push({...managedReadAll(tree, managed, arn, holding), ...(attachedPlace ? {place: attachedPlace} : {})})
    }

    return out
  })
}

/** The user or group an AWS::IAM::User or Group is: its name when the template gives one, else its logical id. */
function principalOf(tree: Tree, resource: Resource): PolicyPrincipal | undefined {
  if (resource.type === 'AWS::IAM::User') return {kind: 'user', name: literal(tree, tree.get(resource.properties, 'UserName')) ?? resource.id}
  if (resource.type === 'AWS::IAM::Group') return {kind: 'group', name: literal(tree, tree.get(resource.properties, 'GroupName')) ?? resource.id}
  return undefined
}

/** An AWS::IAM::Policy or ManagedPolicy, held through the roles, users and groups it names. */
export function standalonePolicy(tree: Tree, resource: Resource, holders: ReadonlyMap<string, string[]>): PolicyEntry[] {
  const {properties} = resource
  const named = (key: string) => tree.items(tree.get(properties, key)).flatMap((node) => refTarget(tree, node) ?? literal(tree, node) ?? [])
  const roles = named('Roles')
  // A `!Ref` to a user or group of the template names it by its UserName or GroupName when it has one.
  const nameOf = (id: string, property: string) => literal(tree, tree.at(tree.root, 'Resources', id, 'Properties', property)) ?? id
  const principals: PolicyPrincipal[] = [
    ...named('Users').map((id) => ({kind: 'user' as const, name: nameOf(id, 'UserName')})),
    ...named('Groups').map((id) => ({kind: 'group' as const, name: nameOf(id, 'GroupName')})),
  ]
  const [role] = roles
  const document = tree.get(properties, 'PolicyDocument')
  const place = statementsPlace(tree, document, ['Resources', resource.id, 'Properties', 'PolicyDocument'])
  return overBranches((branches) => [
    {
      ...(place && branches.pick(tree, document) === document ? {place} : {}),
      resource: resource.id,
      policy: literal(tree, tree.get(properties, 'PolicyName')) ?? literal(tree, tree.get(properties, 'ManagedPolicyName')),
      ...(role === undefined ? {} : {role}),
      holders: roles.flatMap((name) => holders.get(name) ?? []),
      ...(principals.length === 0 ? {} : {principals}),
      statements: statementsOf(tree, tree.get(properties, 'PolicyDocument'), undefined, branches),
      position: tree.position(resource.node),
    },
  ])
}
