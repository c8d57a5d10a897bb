/**
 * Reads a CloudFormation, SAM or CDK-synthesized template (YAML or JSON) into the entries the rules
 * judge: function and container environments (with SAM's Globals), SSM parameters, and the IAM that
 * reads secrets (cfn-iam.ts), each with the place of its value.
 */
import {isSeq, type Node} from 'yaml'

import {literal, principalPolicies, refTarget, type Resource, samPolicies, standalonePolicy} from './cfn-iam.js'
import {cfnEnvValue, type EnvEntry, type Extracted, type ParameterEntry} from './entries.js'
import type {TemplateFormat} from './findings.js'
import {nodeValue, type Tree} from './tree.js'

const FUNCTION_TYPES = new Set(['AWS::Serverless::Function', 'AWS::Lambda::Function'])

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
  const functionName = (resource: Resource) => literal(tree, tree.get(resource.properties, 'FunctionName')) ?? resource.id
  const functions = resources.filter((resource) => FUNCTION_TYPES.has(resource.type))
  const holders = roleHolders(tree, resources, functionName)

  // SAM's Globals apply to every AWS::Serverless::Function: one finding, where the value is written.
  const serverless = functions.filter((fn) => fn.type === 'AWS::Serverless::Function')
  const globalWorkload = serverless.length === 1 ? functionName(serverless[0]) : 'FUNCTION'
  extracted.env.push(...variables(tree, tree.at(root, 'Globals', 'Function', 'Environment', 'Variables'), 'Globals', globalWorkload, 'Globals.Function.Environment.Variables'))

  for (const resource of resources) {
    if (FUNCTION_TYPES.has(resource.type)) {
      const name = functionName(resource)
      extracted.env.push(...variables(tree, tree.at(resource.properties, 'Environment', 'Variables'), resource.id, name, `Environment.Variables of ${resource.id}`))
      if (resource.type === 'AWS::Serverless::Function') extracted.policies.push(...samPolicies(tree, resource, name))
    } else if (resource.type === 'AWS::ECS::TaskDefinition') {
      extracted.env.push(...taskEnvironment(tree, resource))
    } else if (resource.type === 'AWS::SSM::Parameter') {
      extracted.parameters.push(ssmParameter(tree, resource))
    } else if (resource.type === 'AWS::IAM::Role' || resource.type === 'AWS::IAM::User' || resource.type === 'AWS::IAM::Group') {
      extracted.policies.push(...principalPolicies(tree, resource, holders.get(resource.id) ?? []))
    } else if (resource.type === 'AWS::IAM::Policy' || resource.type === 'AWS::IAM::ManagedPolicy') {
      extracted.policies.push(...standalonePolicy(tree, resource, holders))
    }
  }

  return extracted
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
function taskEnvironment(tree: Tree, resource: Resource): EnvEntry[] {
  const family = literal(tree, tree.get(resource.properties, 'Family')) ?? resource.id
  const out: EnvEntry[] = []
  for (const container of tree.items(tree.get(resource.properties, 'ContainerDefinitions'))) {
    const containerName = literal(tree, tree.get(container, 'Name')) ?? 'container'
    for (const item of tree.items(tree.get(container, 'Environment'))) {
      const variable = literal(tree, tree.get(item, 'Name'))
      const valueNode = tree.get(item, 'Value')
      const value = nodeValue(tree, valueNode)
      if (variable === undefined || value.kind === 'other') continue
      out.push({
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

  return out
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
