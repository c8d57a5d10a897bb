/**
 * Reads Terraform `.tf` files through a real HCL parser, given by the caller (services/hcl-parser.ts
 * loads @cdktf/hcl2json's WebAssembly, which is I/O and stays out of core): `aws_lambda_function`
 * environment variables, `aws_ecs_task_definition` container definitions (a JSON string or
 * `jsonencode([...])`), `aws_ssm_parameter`, `aws_iam_policy_document` data sources and inline
 * policies (`policy = jsonencode({...})` or a JSON string) of policies, roles, users and groups. A
 * variable's reference is judged by what it refers to (terraform-secrets.ts).
 *
 * The parser gives the structure but no positions: what is reported is decided on the parsed tree,
 * and the line and column of a value are then found in the text, from its block's header on.
 */
import type {PolicyStatement} from '../audit/iam.js'
import {cfnEnvValue, type EnvEntry, type EnvValue, type Extracted, type ParameterEntry, type PolicyEntry, type StatementEntry} from './entries.js'
import type {SecretTarget} from './narrow-policy.js'
import {documentStatements, secretPolicies} from './terraform-secret-policy.js'
import type {HclPlace} from './terraform-edit.js'
import {terraformTarget} from './terraform-targets.js'
import type {Position} from './tree.js'
import {TemplateParseError} from './tree.js'
import {TerraformSecrets} from './terraform-secrets.js'

/** An HCL parser: a file's text to its JSON form (hcl2json's), rejecting on a syntax error or with HclTooComplexError. */
export type HclParser = (file: string, text: string) => Promise<unknown>

type Json = null | boolean | number | string | Json[] | {[key: string]: Json}
type Block = Record<string, Json>

/** The parser gave up on a file within its budget of time or memory: the file is not read, and says so. */
export class HclTooComplexError extends TemplateParseError {
  constructor(message: string) {
    super(message)
    this.name = 'HclTooComplexError'
  }
}

/** The parsed file; a syntax error becomes a TemplateParseError with its line only. */
async function parseHcl(parse: HclParser, file: string, text: string): Promise<Record<string, Json>> {
  try {
    return (await parse(file, text)) as Record<string, Json>
  } catch (error) {
    if (error instanceof HclTooComplexError) throw error
    // HCL's diagnostics name the file and place; only the line is kept (a detail could quote the source).
    const line = /:(\d+),\d+/.exec(String(error))?.[1]
    throw new TemplateParseError(`HCL syntax error${line ? ` at line ${line}` : ''}`, line === undefined ? undefined : Number(line))
  }
}

/** An expression such as `jsonencode([...])` as data, by parsing it as an attribute of its own. */
async function expressionValue(parse: HclParser, text: string): Promise<Json | undefined> {
  const match = /^\$\{jsonencode\(([\s\S]*)\)\}$/.exec(text.trim())
  if (match) {
    // A syntax error leaves the value unread; a parse over budget is the whole file's failure.
    const parsed = await parseHcl(parse, 'expression.tf', `locals {\n  value = ${match[1]}\n}\n`).catch((error: unknown) => {
      if (error instanceof HclTooComplexError) throw error
      return undefined
    })
    const locals = parsed?.locals
    return Array.isArray(locals) ? (locals[0] as Block | undefined)?.value : undefined
  }

  if (/^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text) as Json
    } catch {
      return undefined
    }
  }

  return undefined
}

const blocks = (value: Json | undefined): Block[] =>
  Array.isArray(value) ? value.filter((item): item is Block => typeof item === 'object' && item !== null && !Array.isArray(item)) : []
const text = (value: Json | undefined): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined

/** Where things are in the text: from a block's header, the first `key =` after it. */
class Locator {
  private readonly lineStarts: number[] = [0]

  constructor(private readonly source: string) {
    for (let index = 0; index < source.length; index++) if (source[index] === '\n') this.lineStarts.push(index + 1)
  }

  block(kind: 'resource' | 'data', type: string, name: string): number {
    const header = new RegExp(`${kind}\\s+"${escape(type)}"\\s+"${escape(name)}"`)
    return Math.max(0, this.source.search(header))
  }

  /** The value of `key = value` (or `"key" = value`, `key: value`) at or after `from`. */
  value(key: string, from: number): number {
    const pattern = new RegExp(`(^|[\\s{,])"?${escape(key)}"?\\s*[=:]\\s*`, 'g')
    pattern.lastIndex = from
    const match = pattern.exec(this.source)
    return match ? match.index + match[0].length : from
  }

  /**
   * The objects of the expression at `from` (`jsonencode([...])`, or the JSON of a heredoc), in the
   * order they are written, each as where the value of each of its own keys starts: so an entry's
   * `value` is found whatever the order of its keys (`{ value = "...", name = "API_KEY" }`).
   */
  objects(from: number): Array<Map<string, number>> {
    const source = this.source
    const heredoc = /^<<-?([A-Za-z_]\w*)\r?\n/.exec(source.slice(from, from + 200))
    if (!heredoc && !/^jsonencode\s*\(/.test(source.slice(from, from + 50))) return []
    let index = heredoc ? from + heredoc[0].length : from
    const terminator = heredoc ? source.slice(index).search(new RegExp(`^\\s*${heredoc[1]}\\s*$`, 'm')) : -1
    const end = terminator === -1 ? source.length : index + terminator
    const found: Array<Map<string, number>> = []
    const open: Array<Map<string, number> | undefined> = []
    const word = /[A-Za-z_][\w-]*/y
    while (index < end) {
      const char = source[index]
      word.lastIndex = index
      if (char === '"') {
        const close = skipString(source, index + 1)
        this.key(open.at(-1), source.slice(index + 1, close - 1), close)
        index = close
      } else if (char === '#' || source.startsWith('//', index)) {
        const lineEnd = source.indexOf('\n', index)
        index = lineEnd === -1 ? end : lineEnd
      } else if (source.startsWith('/*', index)) {
        const close = source.indexOf('*/', index + 2)
        index = close === -1 ? end : close + 2
      } else if ('{[('.includes(char)) {
        const object = char === '{' ? new Map<string, number>() : undefined
        if (object) found.push(object)
        open.push(object)
        index++
      } else if ('}])'.includes(char)) {
        open.pop()
        index++
        if (open.length === 0) break
      } else if (word.test(source)) {
        this.key(open.at(-1), source.slice(index, word.lastIndex), word.lastIndex)
        index = word.lastIndex
      } else {
        index++
      }
    }

    return found
  }

  /** Records `key` of `object` when `key = ` or `key:` follows at `after`. */
  private key(object: Map<string, number> | undefined, key: string, after: number): void {
    if (object === undefined || object.has(key)) return
    const assignment = /\s*(?:=(?![=>])|:)\s*/y
    assignment.lastIndex = after
    const match = assignment.exec(this.source)
    if (match) object.set(key, after + match[0].length)
  }

  /** Where the next nested block `keyword {` at or after `from` starts (the `inline_policy` blocks of a role, one after the other). */
  nested(keyword: string, from: number): number {
    const pattern = new RegExp(`(^|\\s)${escape(keyword)}\\s*\\{`, 'g')
    pattern.lastIndex = from
    const match = pattern.exec(this.source)
    return match ? match.index + match[0].length : from
  }

  /**
   * Just past the end of the expression at `from`: a heredoc's terminator line, the bracket that
   * closes it (`jsonencode({...})`, a block's `{...}`), or the end of its line.
   */
  expressionEnd(from: number): number {
    const source = this.source
    const heredoc = /^<<-?([A-Za-z_]\w*)\r?\n/.exec(source.slice(from, from + 200))
    if (heredoc) {
      const body = from + heredoc[0].length
      const terminator = new RegExp(`^[ \\t]*${heredoc[1]}[ \\t]*$`, 'm').exec(source.slice(body))
      return terminator ? body + terminator.index + terminator[0].length : source.length
    }

    let depth = 0
    let index = from
    while (index < source.length) {
      const char = source[index]
      if (char === '"') {
        index = skipString(source, index + 1)
        continue
      }

      const comment = char === '#' || source.startsWith('//', index)
      // At the top level, a comment or the line's end ends the expression (a string, a reference).
      if (depth === 0 && (comment || char === '\n')) return from + source.slice(from, index).trimEnd().length
      if (comment) {
        const lineEnd = source.indexOf('\n', index)
        index = lineEnd === -1 ? source.length : lineEnd
        continue
      }

      if ('{[('.includes(char)) depth++
      if ('}])'.includes(char)) {
        depth--
        if (depth === 0) return index + 1
      }

      index++
    }

    return index
  }

  /**
   * The lines an expression spans, with the text around it on its first and last lines, for a fix
   * that rewrites it: from `start` (where it begins) to `end`.
   */
  span(start: number, end: number): {from: number; to: number; before: string; after: string; indent: string} {
    const first = this.source.lastIndexOf('\n', start - 1) + 1
    const lineEnd = this.source.indexOf('\n', end)
    const before = this.source.slice(first, start)
    return {
      from: this.position(start).line,
      to: this.position(Math.max(start, end - 1)).line,
      before,
      after: this.source.slice(end, lineEnd === -1 ? this.source.length : lineEnd).replace(/\r$/, ''),
      indent: /^[ \t]*/.exec(before)?.[0] ?? '',
    }
  }

  /** The text from `offset`, `length` characters long. */
  slice(offset: number, length: number): string {
    return this.source.slice(offset, offset + length)
  }

  /** Where the next `char` at or after `from` is. */
  after(char: string, from: number): number | undefined {
    const index = this.source.indexOf(char, from)
    return index === -1 ? undefined : index
  }

  /** Whether `text` is written at `offset`. */
  startsWith(text: string, offset: number | undefined): boolean {
    return offset !== undefined && this.source.startsWith(text, offset)
  }

  /** A literal string at or after `from` (a resource pattern). */
  literal(value: string, from: number): number {
    const at = this.source.indexOf(JSON.stringify(value), from)
    return at === -1 ? from : at
  }

  position(offset: number): Position {
    let low = 0
    let high = this.lineStarts.length - 1
    while (low < high) {
      const mid = (low + high + 1) >> 1
      if (this.lineStarts[mid] <= offset) low = mid
      else high = mid - 1
    }

    return {line: low + 1, column: offset - this.lineStarts[low] + 1}
  }
}

/** From just after a string's opening quote to just after its closing one, over escapes and `${...}` (which may hold strings). */
function skipString(source: string, start: number): number {
  let index = start
  while (index < source.length) {
    const char = source[index]
    if (char === '"') return index + 1
    // A quoted string ends at its line in HCL and in JSON; an unterminated one stops there.
    if (char === '\n') return index
    if (char === '\\') index += 2
    else if ((char === '$' || char === '%') && source[index + 1] === '{') index = skipTemplate(source, index + 2)
    else index++
  }

  return index
}

/** From just after `${` to just after its closing brace. */
function skipTemplate(source: string, start: number): number {
  let index = start
  let depth = 0
  while (index < source.length) {
    const char = source[index]
    if (char === '"') {
      index = skipString(source, index + 1)
      continue
    }

    if (char === '}' && depth === 0) return index + 1
    if (char === '{') depth++
    if (char === '}') depth--
    index++
  }

  return index
}

function escape(text: string): string {
  return text.replaceAll(/[.*+?^${}()|[\]\\]/g, String.raw`\$&`)
}

/**
 * A Terraform string for `variable`: a literal, an expression that carries a secret (TerraformSecrets),
 * or one that says where a secret is (`${aws_secretsmanager_secret.x.arn}`, `${var.table}`).
 */
function terraformEnvValue(value: string, variable: string, secrets: TerraformSecrets): EnvValue {
  const resolved = cfnEnvValue({kind: 'literal', text: value})
  if (resolved.kind === 'resolved') return resolved
  if (!value.includes('${')) return {kind: 'literal', text: value}
  return secrets.secretIn(value, variable) ?? {kind: 'reference'}
}

type Group = Record<string, Record<string, Json>>
type Found = Array<{name: string; block: Block}>

/** Every block of one type: `resource "aws_lambda_function" "api" {...}` gives {name: api, block}. */
function each(group: Group, type: string): Found {
  return Object.entries(group[type] ?? {}).flatMap(([name, body]) => blocks(body).map((block) => ({name, block})))
}

/** What `source` declares, read with `parse`. */
export async function extractTerraform(file: string, source: string, parse: HclParser): Promise<Extracted> {
  const parsed = await parseHcl(parse, file, source)
  const at = new Locator(source)
  const resources = (parsed.resource ?? {}) as Group
  const data = (parsed.data ?? {}) as Group
  const secrets = new TerraformSecrets(parsed)
  const documents = policyDocuments(at, each(data, 'aws_iam_policy_document'))
  return {
    format: 'terraform',
    env: [
      ...lambdaEnvironment(at, secrets, each(resources, 'aws_lambda_function')),
      ...(await taskEnvironment(parse, at, secrets, each(resources, 'aws_ecs_task_definition'))),
    ],
    parameters: ssmParameters(at, each(resources, 'aws_ssm_parameter')),
    targets: functionTargets(each(resources, 'aws_lambda_function')),
    policies: [...documents, ...(await inlinePolicies(parse, at, resources, documents, await roleUsers(parse, resources)))],
    secretPolicies: await secretPolicies(resources, data, {
      document: (text) => expressionValue(parse, text),
      at: (type, name, key) => at.position(at.value(key, at.block('resource', type, name))),
    }),
  }
}

function lambdaEnvironment(at: Locator, secrets: TerraformSecrets, found: Found): EnvEntry[] {
  const env: EnvEntry[] = []
  for (const {name, block} of found) {
    const start = at.block('resource', 'aws_lambda_function', name)
    const workload = text(block.function_name) ?? name
    const resource = `aws_lambda_function.${name}`
    for (const environment of blocks(block.environment)) {
      const variables = environment.variables
      if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) continue
      const from = at.value('variables', start)
      for (const [variable, value] of Object.entries(variables)) {
        const literal = text(value)
        if (literal === undefined) continue
        env.push({
          resource,
          workload,
          where: `environment.variables of ${resource}`,
          ...(text(block.runtime) === undefined || text(block.runtime)?.includes('${') ? {} : {runtime: text(block.runtime)}),
          variable,
          value: typeof value === 'string' ? terraformEnvValue(value, variable, secrets) : {kind: 'literal', text: literal},
          position: at.position(at.value(variable, from)),
        })
      }
    }
  }

  return env
}

async function taskEnvironment(parse: HclParser, at: Locator, secrets: TerraformSecrets, found: Found): Promise<EnvEntry[]> {
  const env: EnvEntry[] = []
  for (const {name, block} of found) {
    const start = at.block('resource', 'aws_ecs_task_definition', name)
    const family = text(block.family) ?? name
    const resource = `aws_ecs_task_definition.${name}`
    const definitions = typeof block.container_definitions === 'string' ? await expressionValue(parse, block.container_definitions) : undefined
    const from = at.value('container_definitions', start)
    const objects = at.objects(from)
    let next = 0
    for (const container of blocks(definitions)) {
      const containerName = text(container.name) ?? 'container'
      for (const item of blocks(container.environment)) {
        const variable = text(item.name)
        const value = text(item.value)
        if (variable === undefined || value === undefined) continue
        // The entry written with this name and a value, after the previous one (a name may recur in another container).
        const written = JSON.stringify(variable)
        const entry = objects.findIndex((object, index) => index >= next && object.has('value') && at.startsWith(written, object.get('name')))
        if (entry !== -1) next = entry + 1
        const valueAt = entry === -1 ? at.value('value', at.literal(variable, from)) : (objects[entry].get('value') as number)
        env.push({
          resource,
          workload: family,
          where: `the environment of container ${containerName} in ${resource}`,
          container: containerName,
          variable,
          value: terraformEnvValue(value, variable, secrets),
          position: at.position(valueAt),
        })
      }
    }
  }

  return env
}

function ssmParameters(at: Locator, found: Found): ParameterEntry[] {
  const parameters: ParameterEntry[] = []
  for (const {name, block} of found) {
    // Terraform can create a SecureString; a String or StringList is plain text.
    const type = text(block.type) ?? 'String'
    if (type === 'SecureString') continue
    const start = at.block('resource', 'aws_ssm_parameter', name)
    const value = text(block.value)
    parameters.push({
      resource: `aws_ssm_parameter.${name}`,
      ...(text(block.name) === undefined ? {} : {name: text(block.name)}),
      ...(value === undefined || value.includes('${') ? {} : {value}),
      position: at.position(at.value('value', start)),
    })
  }

  return parameters
}

function policyDocuments(at: Locator, found: Found): PolicyEntry[] {
  const policies: PolicyEntry[] = []
  for (const {name, block} of found) {
    // A document with principals is a resource or trust policy (a secret's, a role's): its `*` is the
    // resource it is attached to, not every secret. Secrets' policies are judged on their own.
    if (blocks(block.statement).some((statement) => statement.principals !== undefined || statement.not_principals !== undefined)) continue
    const start = at.block('data', 'aws_iam_policy_document', name)
    const statements = documentStatements(block).map((written) => ({...statementEntry(written, at, start), written: written as Record<string, unknown>}))
    // Rewritten whole from its statements: a document built from other documents is left to a person.
    const rewritable = Object.keys(block).every((key) => key === 'statement' || key === 'version')
    const brace = at.after('{', start)
    const place = rewritable && brace !== undefined ? {kind: 'hcl' as const, form: 'document' as const, ...at.span(brace, at.expressionEnd(brace))} : undefined
    policies.push({...policyEntry(`data.aws_iam_policy_document.${name}`, statements, at.position(start)), ...(place ? {place} : {})})
  }

  return policies
}

/**
 * Inline policies, with `policy = jsonencode({...})`, a JSON string or heredoc, or
 * `data.aws_iam_policy_document.x.json` (that document is judged as itself, named with its holder):
 * `aws_iam_policy`, `aws_iam_role_policy`, `aws_iam_user_policy`, `aws_iam_group_policy` and the
 * `inline_policy` blocks of `aws_iam_role`.
 */
async function inlinePolicies(parse: HclParser, at: Locator, resources: Group, documents: PolicyEntry[], users: ReadonlyMap<string, RoleUse>): Promise<PolicyEntry[]> {
  const policies: PolicyEntry[] = []
  for (const type of ['aws_iam_policy', 'aws_iam_role_policy', 'aws_iam_user_policy', 'aws_iam_group_policy'] as const) {
    for (const {name, block} of each(resources, type)) {
      const start = at.block('resource', type, name)
      // A user's or a group's policy is held by that user or group: named in its findings and in the grant.
      const kind = type === 'aws_iam_user_policy' ? 'user' : type === 'aws_iam_group_policy' ? 'group' : undefined
      const holder = kind === undefined ? undefined : holderOf(kind, block, resources)
      const role = type === 'aws_iam_role_policy' ? roleOfAttachment(block.role) : undefined
      const use = role === undefined ? undefined : users.get(role)
      const held = holder
        ? {holders: [], principals: [holder], policy: `IAM ${holder.kind} ${holder.name}`}
        : role === undefined
          ? {}
          : {role: `aws_iam_role.${role}`, holders: use?.functions ?? [], ...(use?.assumedBy ? {assumedBy: use.assumedBy} : {})}
      const entry = await policyOf(parse, at, `${type}.${name}`, block.policy, start)
      if (entry) {
        policies.push({...entry, ...held})
        continue
      }

      const document = /^\$\{data\.aws_iam_policy_document\.([\w-]+)\.json\}$/.exec(text(block.policy) ?? '')
      const judged = document ? documents.find((item) => item.resource === `data.aws_iam_policy_document.${document[1]}`) : undefined
      if (judged && holder) {
        judged.principals = [...(judged.principals ?? []), holder]
        judged.policy = judged.policy === undefined ? held.policy : `${judged.policy}, ${held.policy}`
      } else if (judged && use) {
        judged.holders = [...judged.holders, ...use.functions]
        if (use.assumedBy) judged.assumedBy = use.assumedBy
      }
    }
  }

  for (const {name, block} of each(resources, 'aws_iam_role')) {
    let from = at.block('resource', 'aws_iam_role', name)
    const use = users.get(name)
    for (const inline of blocks(block.inline_policy)) {
      from = at.nested('inline_policy', from)
      const entry = await policyOf(parse, at, `aws_iam_role.${name}`, inline.policy, from)
      const policyName = text(inline.name)
      const held = {role: `aws_iam_role.${name}`, holders: use?.functions ?? [], ...(use?.assumedBy ? {assumedBy: use.assumedBy} : {})}
      if (entry) policies.push({...entry, ...held, ...(policyName === undefined ? {} : {policy: policyName})})
    }
  }

  return policies
}

/** Who uses an `aws_iam_role` of the file: the functions that run as it, and the services its trust policy names. */
interface RoleUse {
  functions: string[]
  assumedBy?: string[]
}

/** `aws_iam_role.x.id`, `.name` or `.arn`, as a policy attachment or a function names its role: `x`. */
function roleOfAttachment(value: Json | undefined): string | undefined {
  return /^\$\{aws_iam_role\.([\w-]+)\.(?:id|name|arn)\}$/.exec(text(value) ?? '')?.[1]
}

/** Each role's functions (their `function_name`, or the resource's name) and the services allowed to assume it. */
async function roleUsers(parse: HclParser, resources: Group): Promise<Map<string, RoleUse>> {
  const users = new Map<string, RoleUse>()
  for (const {name, block} of each(resources, 'aws_iam_role')) {
    const trust = typeof block.assume_role_policy === 'string' ? await expressionValue(parse, block.assume_role_policy) : undefined
    const statements = blocks((trust as {Statement?: Json} | undefined)?.Statement)
    const services = statements.flatMap((statement) => {
      const principal = statement.Principal as Record<string, Json> | undefined
      return [principal?.Service, principal?.Federated].flatMap((value) => (Array.isArray(value) ? value : value === undefined ? [] : [value])).flatMap((value) => text(value) ?? [])
    })
    users.set(name, {functions: [], ...(services.length > 0 ? {assumedBy: services} : {})})
  }

  for (const {name, block} of each(resources, 'aws_lambda_function')) {
    const role = roleOfAttachment(block.role)
    if (role === undefined) continue
    // The role may be declared in another file of the module: its functions are still known here.
    const use = users.get(role) ?? {functions: []}
    use.functions.push(holderName(name, block))
    users.set(role, use)
  }

  return users
}

/** A function as its role's policies name it: its literal `function_name`, else the resource's name. */
function holderName(name: string, block: Block): string {
  const written = text(block.function_name)
  return written === undefined || written.includes('${') ? name : written
}

/** Per function, the secrets its environment tells it to read (terraform-targets.ts). */
function functionTargets(found: Found): Record<string, SecretTarget[]> {
  const targets: Record<string, SecretTarget[]> = {}
  for (const {name, block} of found) {
    const variables = blocks(block.environment).flatMap((environment) => Object.entries((environment.variables ?? {}) as Record<string, Json>))
    const own = variables.flatMap(([variable, value]) => (typeof value === 'string' ? (terraformTarget(variable, value) ?? []) : []))
    const holder = holderName(name, block)
    targets[holder] = [...(targets[holder] ?? []), ...own]
  }

  return targets
}

/** A policy document written in place (`jsonencode({...})`, a JSON string), its statements found from `start`. */
async function policyOf(parse: HclParser, at: Locator, resource: string, policy: Json | undefined, start: number): Promise<PolicyEntry | undefined> {
  const document = typeof policy === 'string' ? await expressionValue(parse, policy) : undefined
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return undefined
  const list = Array.isArray(document.Statement) ? document.Statement : document.Statement ? [document.Statement] : []
  const statements = blocks(list).map((statement) => ({...statementEntry(statement as PolicyStatement, at, start), written: statement}))
  // The whole `policy = ...` value is rewritten, in the form it was written in.
  const valueStart = at.value('policy', start)
  const written = at.slice(valueStart, 100)
  const form: HclPlace['form'] | undefined = /^jsonencode\s*\(/.test(written) ? 'jsonencode' : /^(<<|")/.test(written) ? 'heredoc' : undefined
  const delimiter = /^<<-?([A-Za-z_]\w*)/.exec(written)?.[1]
  const place = form ? {kind: 'hcl' as const, form, ...(delimiter ? {delimiter} : {}), ...at.span(valueStart, at.expressionEnd(valueStart))} : undefined
  return {...policyEntry(resource, statements, at.position(start)), ...(place ? {place} : {})}
}

/**
 * The user or group a policy is attached to: its name as written, the name of the `aws_iam_user` (or
 * group) it refers to, or else the expression.
 */
function holderOf(kind: 'user' | 'group', block: Block, resources: Group): {kind: 'user' | 'group'; name: string} {
  const written = text(block[kind]) ?? kind
  const reference = new RegExp(`^\\$\\{aws_iam_${kind}\\.([\\w-]+)\\.(?:name|id)\\}$`).exec(written)
  if (reference) {
    const declared = text(blocks(resources[`aws_iam_${kind}`]?.[reference[1]])[0]?.name)
    return {kind, name: declared !== undefined && !declared.includes('${') ? declared : reference[1]}
  }

  return {kind, name: written.replace(/^\$\{([\s\S]*)\}$/, '$1')}
}

function statementEntry(statement: PolicyStatement, at: Locator, start: number): StatementEntry {
  const positions = new Map<string, Position>()
  for (const pattern of [statement.Resource ?? [], statement.NotResource ?? []].flat()) positions.set(pattern, at.position(at.literal(pattern, start)))
  return {statement, positions, position: at.position(start)}
}

function policyEntry(resource: string, statements: StatementEntry[], position: Position): PolicyEntry {
  return {resource, holders: [], statements, position}
}
