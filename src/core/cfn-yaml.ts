/**
 * CloudFormation's notation for grant's renderers (policy-renderers.ts, wiring-renderers.ts). Pure.
 *
 * YAML goes through the `yaml` package (never string concatenation), as YAML 1.1 so strings such as
 * `2012-10-17`, `on` or `0123` are quoted for YAML 1.1 readers (cfn-lint, PyYAML, older js-yaml).
 */
import {Document, isScalar, Scalar, visit} from 'yaml'

import {hasPseudoParameter, type PolicyDocument, type PolicyStatement} from './iam-policy.js'

/** A statement's strings with pseudo-parameters become `Fn::Sub`, which the YAML writer shortens to `!Sub`. */
function withSub(statement: PolicyStatement): Record<string, unknown> {
  const sub = (text: string): unknown => (hasPseudoParameter(text) ? {'Fn::Sub': text} : text)
  return {
    Sid: statement.Sid,
    Effect: statement.Effect,
    Action: statement.Action,
    Resource: statement.Resource.map((resource) => sub(resource)),
    ...(statement.Condition
      ? {
          Condition: Object.fromEntries(
            Object.entries(statement.Condition).map(([operator, entries]) => [
              operator,
              Object.fromEntries(Object.entries(entries).map(([key, value]) => [key, sub(value)])),
            ]),
          ),
        }
      : {}),
  }
}

/** A policy document for a CloudFormation template: its pseudo-parameters under `Fn::Sub`. */
export function cfnDocument(document: PolicyDocument): Record<string, unknown> {
  return {Version: document.Version, Statement: document.Statement.map((statement) => withSub(statement))}
}

const SHORT_FORMS: Record<string, string> = {Ref: '!Ref', 'Fn::Sub': '!Sub', 'Fn::GetAtt': '!GetAtt'}

/** Writes YAML 1.1 with CloudFormation's short forms (`!Sub`, `!Ref`) for one-key intrinsic maps. */
export function cfnYaml(value: unknown, comment?: string, after?: string): string {
  const doc = new Document(value, {version: '1.1'})
  visit(doc, {
    Map(_key, node) {
      if (node.items.length !== 1) return undefined
      const [pair] = node.items
      if (!isScalar(pair.key) || !isScalar(pair.value)) return undefined
      const tag = SHORT_FORMS[String(pair.key.value)]
      if (!tag) return undefined
      const short = new Scalar(pair.value.value)
      short.tag = tag
      return short
    },
  })
  if (comment) doc.commentBefore = comment
  if (after) doc.comment = after
  return doc.toString({lineWidth: 0})
}
