/**
 * Reads a CloudFormation, SAM or CDK-synthesized template (YAML or JSON) into the entries the rules
 * judge: function and container environments (with SAM's Globals), SSM parameters, and the IAM that
 * reads secrets (cfn-iam.ts), each with the place of its value.
 */
import {isSeq, type Node} from 'yaml'

import {benignValueReason} from '../audit/references.js'
import {literal, principalPolicies, refTarget, type Resource, samPolicies, standalonePolicy} from './cfn-iam.js'
import {secretResourcePolicy} from './cfn-secret-policy.js'
import {eventSourceTargets, type TargetContext, targetOfVariable} from './cfn-targets.js'
import type {SecretTarget} from './narrow-policy.js'
import {cfnEnvValue, type DefaultEntry, type EnvEntry, type EnvValue, type Extracted, type ParameterEntry} from './entries.js'
import type {TemplateFormat} from './findings.js'
import {literalPieces, literalText, nodeValue, type Position, templateReferences, type Tree} from './tree.js'

const FUNCTION_TYPES = new Set(['AWS::Serverless::Function', 'AWS::Lambda::Function'])

/**
 * Resource attributes whose value is a secret (from each type's "Return values" in the CloudFormation
 * reference): a `!GetAtt` of one in an environment writes the secret there. `MasterUserSecret.SecretArn`
 * of RDS and the like are ARNs, not values, and are not here.
 */
const SECRET_ATTRIBUTES: Record<string, string[]> = {
  'AWS::IAM::AccessKey': ['SecretAccessKey'],
  'AWS::Cognito::UserPoolClient': ['ClientSecret'],
  'AWS::AppSync::ApiKey': ['ApiKey'],
  'AWS::IVS::StreamKey': ['Value'],
}

/**
 * A parameter of type `AWS::SSM::Parameter::Value<String>` is resolved from Parameter Store when the
 * stack deploys, and only from a String or StringList (CloudFormation refuses a SecureString there).
 */
const SSM_VALUE_TYPE = /^AWS::SSM::Parameter::Value<(String|List<String>|CommaDelimitedList)>$/

/** A template parameter as far as a secret goes. */
interface TemplateParameter {
  id: string
  /** Declared `NoEcho: true`: the template's own word that the value is a secret. */
  noEcho: boolean
  /** Of an SSM parameter type: the Parameter Store name is the value given at deploy, or the Default. */
  ssm: boolean
  /** A literal `Default`, and where it is written. */
  default?: {text: string; position: Position}
}

type EnvPlace = Omit<EnvEntry, 'value'>

/** What an environment value may refer to: the template's parameters and the type of each resource. */
interface TemplateContext {
  parameters: Map<string, TemplateParameter>
  types: Map<string, string>
  /** Parameters with a literal Default that fill a variable: the first variable each fills. */
  defaults: Map<string, EnvPlace>
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

/** Reads every entry the rules judge from a CloudFormation-family template. */
export function extractCloudFormation(tree: Tree, format: TemplateFormat, root: Node | undefined = tree.root): Extracted {
  const extracted: Extracted = {format, env: [], parameters: [], policies: []}
  const resources: Resource[] = tree.entries(tree.get(root, 'Resources')).flatMap(([id, node]) => {
    const type = literal(tree, tree.get(node, 'Type'))
    return type && node ? [{id, type, properties: tree.get(node, 'Properties'), node}] : []
  })
  const context: TemplateContext = {
    parameters: templateParameters(tree, root),
    types: new Map(resources.map((resource) => [resource.id, resource.type])),
    defaults: new Map(),
  }
  const functionName = (resource: Resource) => literal(tree, tree.get(resource.properties, 'FunctionName')) ?? resource.id
  const functions = resources.filter((resource) => FUNCTION_TYPES.has(resource.type))
  const holders = roleHolders(tree, resources, functionName)

  // SAM's Globals apply to every AWS::Serverless::Function: one finding, where the value is written.
  const serverless = functions.filter((fn) => fn.type === 'AWS::Serverless::Function')
  const globalWorkload = serverless.length === 1 ? functionName(serverless[0]) : 'FUNCTION'
  // A SAM function without its own Runtime takes the one Globals declares.
  const globalRuntime = literal(tree, tree.at(root, 'Globals', 'Function', 'Runtime'))
  const runtimeOf = (resource: Resource) => literal(tree, tree.get(resource.properties, 'Runtime')) ?? (resource.type === 'AWS::Serverless::Function' ? globalRuntime : undefined)
  const globalFunctionRuntimes = new Set(serverless.map(runtimeOf))
  extracted.env.push(
    ...variables(
      tree,
      context,
      tree.at(root, 'Globals', 'Function', 'Environment', 'Variables'),
      'Globals',
      globalWorkload,
      'Globals.Function.Environment.Variables',
      globalFunctionRuntimes.size === 1 ? [...globalFunctionRuntimes][0] : undefined,
    ),
  )

  const targetContext = targetContextOf(context)
  const targetsIn = (node: Node | undefined) => tree.entries(node).flatMap(([variable, value]) => targetOfVariable(tree, targetContext, variable, value) ?? [])
  const globalTargets = targetsIn(tree.at(root, 'Globals', 'Function', 'Environment', 'Variables'))
  extracted.targets = {}
  for (const resource of resources) {
    if (FUNCTION_TYPES.has(resource.type)) {
      const name = functionName(resource)
      const own = targetsIn(tree.at(resource.properties, 'Environment', 'Variables'))
      const events = tree.entries(tree.get(resource.properties, 'Events')).flatMap(([, event]) => eventSourceTargets(tree, tree.at(event, 'Properties', 'SourceAccessConfigurations')))
      const mappings = resources
        .filter((other) => other.type === 'AWS::Lambda::EventSourceMapping' && refTarget(tree, tree.get(other.properties, 'FunctionName')) === resource.id)
        .flatMap((mapping) => eventSourceTargets(tree, tree.get(mapping.properties, 'SourceAccessConfigurations')))
      extracted.targets[name] = [...(resource.type === 'AWS::Serverless::Function' ? globalTargets : []), ...own, ...events, ...mappings]
      extracted.env.push(...variables(tree, context, tree.at(resource.properties, 'Environment', 'Variables'), resource.id, name, `Environment.Variables of ${resource.id}`, runtimeOf(resource)))
      if (resource.type === 'AWS::Serverless::Function') extracted.policies.push(...samPolicies(tree, resource, name))
    } else if (resource.type === 'AWS::ECS::TaskDefinition') {
      extracted.env.push(...taskEnvironment(tree, context, resource))
    } else if (resource.type === 'AWS::SSM::Parameter') {
      const parameter = ssmParameter(tree, context, resource)
      if (parameter !== undefined) extracted.parameters.push(parameter)
    } else if (resource.type === 'AWS::IAM::Role' || resource.type === 'AWS::IAM::User' || resource.type === 'AWS::IAM::Group') {
      extracted.policies.push(...principalPolicies(tree, resource, holders.get(resource.id) ?? []))
    } else if (resource.type === 'AWS::IAM::Policy' || resource.type === 'AWS::IAM::ManagedPolicy') {
      extracted.policies.push(...standalonePolicy(tree, resource, holders))
    } else if (resource.type === 'AWS::SecretsManager::ResourcePolicy') {
      extracted.secretPolicies = [...(extracted.secretPolicies ?? []), secretResourcePolicy(tree, resource)]
    }
  }

  extracted.defaults = [...context.defaults].flatMap(([id, user]): DefaultEntry[] => {
    const parameter = context.parameters.get(id)
    return parameter?.default ? [{parameter: id, noEcho: parameter.noEcho, value: parameter.default.text, user, position: parameter.default.position}] : []
  })
  return extracted
}

/** The template's `Parameters`: which are NoEcho, which are read from Parameter Store, and their literal defaults. */
/**
 * Reads an environment value written as an intrinsic (`Ref: Param`, `Fn::GetAtt`) against the
 * CloudFormation under `root`: a Serverless file's `resources`, whose parameters and resources its
 * environments may name.
 */
export function intrinsicEnvReader(tree: Tree, root: Node | undefined): (node: Node | undefined, entry: EnvPlace) => EnvValue | undefined {
  const context = embeddedContext(tree, root)
  return (node, entry) => envValue(tree, context, node, entry)
}

/** The resources' types and the parameters of CloudFormation embedded at `root`. */
function embeddedContext(tree: Tree, root: Node | undefined): TemplateContext {
  const types = new Map(
    tree.entries(tree.get(root, 'Resources')).flatMap(([id, node]) => {
      const type = literal(tree, tree.get(node, 'Type'))
      return type === undefined ? [] : [[id, type] as const]
    }),
  )
  return {parameters: templateParameters(tree, root), types, defaults: new Map()}
}

/** What a target needs to know of the template: its resources' types and its parameters. */
function targetContextOf(context: TemplateContext): TargetContext {
  return {
    types: context.types,
    parameters: new Set(context.parameters.keys()),
    defaults: new Map([...context.parameters.values()].flatMap((parameter) => (parameter.default ? [[parameter.id, parameter.default.text] as const] : []))),
    valueParameters: new Set([...context.parameters.values()].filter((parameter) => parameter.noEcho || parameter.ssm).map((parameter) => parameter.id)),
  }
}

/** The secret an environment variable points to, judged against the CloudFormation at `root` (a serverless.yml's `resources`). */
export function targetReader(tree: Tree, root: Node | undefined): (variable: string, node: Node | undefined) => SecretTarget | undefined {
  const context = targetContextOf(embeddedContext(tree, root))
  return (variable, node) => targetOfVariable(tree, context, variable, node)
}

function templateParameters(tree: Tree, root: Node | undefined): Map<string, TemplateParameter> {
  const out = new Map<string, TemplateParameter>()
  for (const [id, node] of tree.entries(tree.get(root, 'Parameters'))) {
    const defaultNode = tree.get(node, 'Default')
    const text = literalText(tree, defaultNode)
    out.set(id, {
      id,
      noEcho: literalText(tree, tree.get(node, 'NoEcho'))?.toLowerCase() === 'true',
      ssm: SSM_VALUE_TYPE.test(literalText(tree, tree.get(node, 'Type'))?.trim() ?? ''),
      ...(text === undefined ? {} : {default: {text, position: tree.position(defaultNode)}}),
    })
  }

  return out
}

/**
 * What an environment value is: a secret resolved at deploy (a dynamic reference; a `Ref` of a NoEcho
 * or Parameter Store parameter; a `GetAtt` of a secret attribute), a literal (however wrapped), or a
 * reference; a reference with literal parts is judged by their shape only. Undefined for a map or list.
 */
function envValue(tree: Tree, context: TemplateContext, node: Node | undefined, entry: EnvPlace): EnvValue | undefined {
  const value = nodeValue(tree, node)
  if (value.kind === 'other') return undefined
  const byText = cfnEnvValue(value)
  if (byText.kind === 'resolved') return byText
  const {refs, attributes} = templateReferences(tree, node)
  const parameters = refs.flatMap((id) => context.parameters.get(id) ?? [])
  // A literal Default fills the variable unless the deploy overrides it; an SSM parameter's is a name.
  for (const parameter of parameters) {
    if (parameter.default !== undefined && !parameter.ssm && !context.defaults.has(parameter.id)) context.defaults.set(parameter.id, entry)
  }

  for (const parameter of parameters) {
    if (parameter.noEcho) return {kind: 'resolved', source: 'parameter', path: parameter.id}
    if (parameter.ssm) return {kind: 'resolved', source: 'ssm', path: parameter.default?.text ?? '', parameter: parameter.id}
  }

  for (const {resource, attribute} of attributes) {
    const type = context.types.get(resource)
    if (type !== undefined && SECRET_ATTRIBUTES[type]?.includes(attribute)) {
      return {kind: 'resolved', source: 'attribute', path: `${resource}.${attribute}`, resourceType: type}
    }
  }

  const text = literalText(tree, node)
  if (text !== undefined) return cfnEnvValue({kind: 'literal', text})
  const pieces = literalPieces(tree, node).filter((piece) => piece.trim().length > 0)
  return pieces.length > 0 ? {kind: 'partial', pieces} : {kind: 'reference'}
}

/** Who holds each role: the functions and task definitions that name it (`Role`, `TaskRoleArn`). */
function roleHolders(tree: Tree, resources: Resource[], functionName: (resource: Resource) => string): Map<string, string[]> {
  const holders = new Map<string, string[]>()
  const hold = (role: string | undefined, holder: string) => {
    if (role !== undefined) holders.set(role, [...(holders.get(role) ?? []), holder])
  }

  for (const resource of resources) {
    if (FUNCTION_TYPES.has(resource.type)) hold(refTarget(tree, tree.get(resource.properties, 'Role')), functionName(resource))
    if (resource.type === 'AWS::ECS::TaskDefinition') {
      hold(refTarget(tree, tree.get(resource.properties, 'TaskRoleArn')), literal(tree, tree.get(resource.properties, 'Family')) ?? resource.id)
    }
  }

  return holders
}

/** The `Environment` entries of each container of an AWS::ECS::TaskDefinition; `Secrets` are references. */
function taskEnvironment(tree: Tree, context: TemplateContext, resource: Resource): EnvEntry[] {
  const family = literal(tree, tree.get(resource.properties, 'Family')) ?? resource.id
  const out: EnvEntry[] = []
  for (const container of tree.items(tree.get(resource.properties, 'ContainerDefinitions'))) {
    const containerName = literal(tree, tree.get(container, 'Name')) ?? 'container'
    for (const item of tree.items(tree.get(container, 'Environment'))) {
      const variable = literal(tree, tree.get(item, 'Name'))
      const valueNode = tree.get(item, 'Value')
      if (variable === undefined) continue
      const entry: EnvPlace = {
        resource: resource.id,
        workload: family,
        where: `the Environment of container ${containerName} in ${resource.id}`,
        container: containerName,
        variable,
        position: tree.position(valueNode),
      }
      const value = envValue(tree, context, valueNode, entry)
      if (value !== undefined) out.push({...entry, value})
    }
  }

  return out
}

function variables(tree: Tree, context: TemplateContext, node: Node | undefined, resource: string, workload: string, where: string, runtime?: string): EnvEntry[] {
  return tree.entries(node).flatMap(([variable, valueNode]) => {
    const entry = {resource, workload, where, variable, ...(runtime === undefined ? {} : {runtime}), position: tree.position(valueNode)}
    const value = envValue(tree, context, valueNode, entry)
    return value === undefined ? [] : [{...entry, value}]
  })
}

/**
 * An AWS::SSM::Parameter's name and literal value. A value an intrinsic builds that only names
 * something (a `Ref` of another resource, a `!Sub` path or ARN) carries no secret whatever the
 * parameter is called, so the parameter is not judged; a `Ref` of a template parameter is, by its name.
 */
function ssmParameter(tree: Tree, context: TemplateContext, resource: Resource): ParameterEntry | undefined {
  const nameNode = tree.get(resource.properties, 'Name')
  const name = nodeValue(tree, nameNode)
  const valueNode = tree.get(resource.properties, 'Value')
  const value = literalText(tree, valueNode)
  if (value === undefined && namesSomething(tree, context, valueNode)) return undefined
  return {
    resource: resource.id,
    ...(name.kind === 'other' ? {} : {name: name.text}),
    ...(value === undefined ? {} : {value}),
    position: tree.position(valueNode ?? nameNode ?? resource.node),
  }
}

/** Kinds of value that name where something is rather than carry it. */
const NAMING_VALUES = new Set(['secret-name', 'arn', 'url-without-credentials'])

/** True when an intrinsic refers only to the template's resources, or builds a path, ARN or URL. */
function namesSomething(tree: Tree, context: TemplateContext, node: Node | undefined): boolean {
  const value = nodeValue(tree, node)
  if (value.kind !== 'intrinsic') return false
  // A path or ARN stays one whatever fills its holes.
  const shape = benignValueReason(value.text.replaceAll(/\$\{[^}]*\}/g, 'x'))
  if (shape !== undefined && NAMING_VALUES.has(shape)) return true
  const {refs, attributes} = templateReferences(tree, node)
  return refs.length > 0 && attributes.length === 0 && refs.every((id) => context.types.has(id))
}
