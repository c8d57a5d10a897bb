/**
 * A narrowed policy written back as Terraform: the statements in HCL, laid out as `terraform fmt`
 * lays them out (so the edited file passes `terraform fmt -check`), replacing whole lines of the file.
 * Pure; the lines and the text around the policy come from the extractor.
 */

/** Replace lines `from` to `to` (1-based, inclusive) of the file with `text`. */
export interface LinesEdit {
  lines: {from: number; to: number}
  text: string
}

/**
 * Where a Terraform policy is written: `before` and `after` are the text of its first and last lines
 * around it, `indent` the first line's indentation. A `policy = ...` attribute is rewritten as
 * `jsonencode({...})`; an `aws_iam_policy_document` as its `statement` blocks.
 */
export interface HclPlace {
  kind: 'hcl'
  /** A heredoc (or a JSON string) stays JSON in a heredoc: fmt aligns its line with its neighbours, which a multi-line jsonencode would undo. */
  form: 'jsonencode' | 'heredoc' | 'document'
  /** The heredoc's identifier (`POLICY`). */
  delimiter?: string
  from: number
  to: number
  before: string
  after: string
  indent: string
}

const IDENTIFIER = /^[A-Za-z_][\w-]*$/
/** A string that is one interpolation and nothing else (`${aws_secretsmanager_secret.db.arn}`): written as the bare expression. */
const WHOLE_EXPRESSION = /^\$\{([^{}"]+)\}$/

/** The edit that writes `statements` in place of the policy at `place`. */
export function hclPolicyEdit(place: HclPlace, statements: readonly unknown[]): LinesEdit {
  const inner = `${place.indent}  `
  const document = {Version: '2012-10-17', Statement: statements.map((statement) => inIamOrder(statement as Record<string, unknown>))}
  const delimiter = place.delimiter ?? 'POLICY'
  const body =
    place.form === 'jsonencode'
      ? `jsonencode(${hclValue(document, place.indent)})`
      : place.form === 'heredoc'
        ? `<<${delimiter}\n${JSON.stringify(document, null, 2)}\n${delimiter}`
        : `{\n${statements.map((statement) => statementBlock(statement as Record<string, unknown>, inner)).join('\n\n')}\n${place.indent}}`
  return {lines: {from: place.from, to: place.to}, text: `${place.before}${body}${place.after}`}
}

const IAM_ORDER = ['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']

/** A statement's keys in the order IAM's documentation writes them (the parser gives them sorted). */
function inIamOrder(statement: Record<string, unknown>): Record<string, unknown> {
  const rank = (key: string) => (IAM_ORDER.includes(key) ? IAM_ORDER.indexOf(key) : IAM_ORDER.length)
  return Object.fromEntries(Object.entries(statement).sort(([a], [b]) => rank(a) - rank(b)))
}

/** A value as HCL: lists on one line when their items fit on one, objects with their `=` aligned as fmt aligns them. */
export function hclValue(value: unknown, indent: string): string {
  if (typeof value === 'string') return WHOLE_EXPRESSION.exec(value)?.[1].trim() ?? JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (value === null || value === undefined) return 'null'
  const inner = `${indent}  `
  if (Array.isArray(value)) {
    const items = value.map((item) => hclValue(item, inner))
    if (items.every((item) => !item.includes('\n'))) return `[${items.join(', ')}]`
    return `[\n${items.map((item) => `${inner}${item},`).join('\n')}\n${indent}]`
  }

  const lines = attributeLines(
    Object.entries(value as Record<string, unknown>).map(([key, item]) => [IDENTIFIER.test(key) ? key : JSON.stringify(key), hclValue(item, inner)]),
    inner,
  )
  return `{\n${lines.join('\n')}\n${indent}}`
}

/**
 * `key = value` lines, each run of one-line attributes with its `=` in one column: fmt aligns a run
 * and a value over several lines ends it.
 */
function attributeLines(attributes: Array<[string, string]>, indent: string): string[] {
  const lines: string[] = []
  let run: Array<[string, string]> = []
  const flush = () => {
    const width = Math.max(...run.map(([key]) => key.length))
    for (const [key, value] of run) lines.push(`${indent}${key.padEnd(width)} = ${value}`)
    run = []
  }

  for (const [key, value] of attributes) {
    if (value.includes('\n')) {
      if (run.length > 0) flush()
      lines.push(`${indent}${key} = ${value}`)
    } else {
      run.push([key, value])
    }
  }

  if (run.length > 0) flush()
  return lines
}

const listOf = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value])

/** One statement of IAM's JSON form as an `aws_iam_policy_document` `statement` block. */
function statementBlock(statement: Record<string, unknown>, indent: string): string {
  const inner = `${indent}  `
  const attributes: Array<[string, string]> = []
  if (typeof statement.Sid === 'string') attributes.push(['sid', hclValue(statement.Sid, inner)])
  if (String(statement.Effect).toLowerCase() === 'deny') attributes.push(['effect', '"Deny"'])
  for (const [key, name] of [
    ['Action', 'actions'],
    ['NotAction', 'not_actions'],
    ['Resource', 'resources'],
    ['NotResource', 'not_resources'],
  ] as const) {
    if (statement[key] !== undefined) attributes.push([name, hclValue(listOf(statement[key]), inner)])
  }

  const conditions: string[] = []
  for (const [test, variables] of Object.entries((statement.Condition ?? {}) as Record<string, Record<string, unknown>>)) {
    for (const [variable, values] of Object.entries(variables)) {
      const lines = attributeLines(
        [
          ['test', JSON.stringify(test)],
          ['variable', JSON.stringify(variable)],
          ['values', hclValue(listOf(values), `${inner}  `)],
        ],
        `${inner}  `,
      )
      conditions.push(`${inner}condition {\n${lines.join('\n')}\n${inner}}`)
    }
  }

  return `${indent}statement {\n${[...attributeLines(attributes, inner), ...(conditions.length > 0 ? ['', conditions.join('\n\n')] : [])].join('\n')}\n${indent}}`
}
