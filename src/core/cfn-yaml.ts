/**
 * CloudFormation's notation for grant's renderers (policy-renderers.ts, wiring-renderers.ts). Pure.
 *
 * YAML goes through the `yaml` package (never string concatenation), as YAML 1.1 so strings such as
 * `2012-10-17`, `on` or `0123` are quoted for YAML 1.1 readers (cfn-lint, PyYAML, older js-yaml).
 */
import {Document, isScalar, Scalar, visit} from 'yaml'

import {UsageError} from './errors.js'
import {escapeLines, isOneLine, printable} from './printable.js'
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
  // Comments quote names and text from AWS; escaped line by line, no character in them ends a YAML 1.1 line.
  if (comment) doc.commentBefore = escapeLines(comment)
  if (after) doc.comment = escapeLines(after)
  return inertYaml(doc)
}

/**
 * The document's text, refused if a key or value holds a character of `escapeLine`'s set: the `yaml`
 * package writes NEL, LS and PS raw inside scalars, where a YAML 1.1 reader (PyYAML, cfn-lint) sees a
 * line break, and U+FFFE raw, which PyYAML refuses. Names are checked where they are read, so this
 * only stops what slipped past them; a comment is escaped instead (it is text for people).
 */
export function inertYaml(doc: Document): string {
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && !isOneLine(node.value)) {
        throw new UsageError(`"${printable(node.value)}" cannot be written into YAML as it is: it holds a control character or a line break.`)
      }

      return undefined
    },
  })
  return doc.toString({lineWidth: 0})
}
