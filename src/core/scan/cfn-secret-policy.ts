/**
 * An AWS::SecretsManager::ResourcePolicy of a CloudFormation-family template: its statements with
 * their principals and conditions as written, for core/audit/resource-policy.ts to judge.
 */
import {isMap, isSeq, type Node} from 'yaml'

import type {ResourcePolicyStatement} from '../audit/resource-policy.js'
import {literal, refTarget, type Resource} from './cfn-iam.js'
import type {SecretPolicyEntry} from './entries.js'
import {nodeValue, type Position, type Tree} from './tree.js'

type Plain = string | Plain[] | {[key: string]: Plain}

/**
 * A node as plain data: literals as text, an intrinsic as the text it builds (`!Sub
 * arn:aws:iam::${AWS::AccountId}:root` keeps its `${...}`, which no account id matches).
 */
function plain(tree: Tree, node: Node | undefined): Plain | undefined {
  const value = nodeValue(tree, node)
  if (value.kind !== 'other') return value.text
  if (isSeq(node)) return tree.items(node).flatMap((item) => plain(tree, item) ?? [])
  if (isMap(node)) {
    const out: Record<string, Plain> = {}
    for (const [key, child] of tree.entries(node)) {
      const converted = plain(tree, child)
      if (converted !== undefined) out[key] = converted
    }

    return out
  }

  return undefined
}

/** The statements of a policy written as YAML/JSON, or as a JSON string (the property's type is Json). */
function statements(tree: Tree, document: Node | undefined, fallback: Position): Array<{statement: ResourcePolicyStatement; position: Position}> {
  const text = literal(tree, document)
  if (text !== undefined) {
    try {
      const parsed = JSON.parse(text) as {Statement?: ResourcePolicyStatement | ResourcePolicyStatement[]}
      const list = parsed.Statement === undefined ? [] : Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement]
      return list.map((statement) => ({statement, position: fallback}))
    } catch {
      return []
    }
  }

  const node = tree.get(document, 'Statement')
  const nodes = isSeq(node) ? tree.items(node) : node ? [node] : []
  return nodes.map((item) => ({statement: (plain(tree, item) ?? {}) as ResourcePolicyStatement, position: tree.position(item)}))
}

/** Reads one AWS::SecretsManager::ResourcePolicy. */
export function secretResourcePolicy(tree: Tree, resource: Resource): SecretPolicyEntry {
  const {properties} = resource
  const secretNode = tree.get(properties, 'SecretId')
  const secret = refTarget(tree, secretNode) ?? literal(tree, secretNode)
  const block = literal(tree, tree.get(properties, 'BlockPublicPolicy'))
  const documentNode = tree.get(properties, 'ResourcePolicy')
  const position = tree.position(documentNode ?? resource.node)
  return {
    resource: resource.id,
    ...(secret === undefined ? {} : {secret}),
    statements: statements(tree, documentNode, position),
    ...(block === undefined ? {} : {blockPublicPolicy: block.toLowerCase() === 'true'}),
    position,
  }
}
