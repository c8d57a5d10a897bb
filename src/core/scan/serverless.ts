/**
 * Reads a Serverless Framework `serverless.yml` (v3 and v4): `provider.environment` (every function),
 * `functions.*.environment`, `provider.iam.role.statements` and the older `provider.iamRoleStatements`
 * (one role for every function), per-function `iamRoleStatements`, and the CloudFormation under
 * `resources`. Variables are read for where they come from: `${ssm:...}`, Secrets Manager through
 * `${ssm:/aws/reference/secretsmanager/...}`, `${env:...}` and `${file(...)}` are resolved at deploy
 * and land in the function's configuration; `${self:...}`, `${opt:...}`, `${sls:...}` are configuration.
 */
import {isScalar, isSeq, type Node} from 'yaml'

import {partProblem} from '../address.js'
import {statementList} from './cfn-iam.js'
import {resolvedTarget} from './cfn-targets.js'
import {extractCloudFormation, intrinsicEnvReader, targetReader} from './cloudformation.js'
import type {EnvEntry, EnvValue, Extracted, Grantee, PolicyEntry} from './entries.js'
import {nodeValue, type Tree} from './tree.js'

/** `service` and a `provider` (named aws, or a map with a runtime): a Serverless Framework file. */
export function isServerless(tree: Tree): boolean {
  const {root} = tree
  if (tree.get(root, 'service') === undefined) return false
  const provider = tree.get(root, 'provider')
  const name = nodeValue(tree, tree.get(provider, 'name'))
  return name.kind === 'literal' ? name.text === 'aws' : tree.get(provider, 'runtime') !== undefined
}

/** What a Serverless variable comes to, as far as one file tells. */
type Resolution = EnvValue | {kind: 'missing'}

/** How deep `${self:...}` is followed through other variables; a longer chain is read as configuration. */
const MAX_VARIABLE_DEPTH = 10
/**
 * Variables resolved for one value at most: a file whose variables each name several others would
 * otherwise cost an exponential walk (`a: ${self:b}${self:b}`, `b: ${self:c}${self:c}`, ...).
 */
const MAX_VARIABLES_RESOLVED = 2000

/** Looks a `${self:...}` path up in the file: the node, or undefined when the path is not there. */
export type SelfLookup = (path: string[]) => {node: Node | undefined; rest: string[]} | undefined

/** The `:KEY` a file variable reads, once the variables inside its path are left out. */
const FILE_KEY = /:[\w.-]+$/

/** A `${...}` of a string, with nested variables kept whole (braces balanced). */
interface Variable {
  start: number
  end: number
  inner: string
}

/** The top-level `${...}` variables of `text`, each with its nested variables inside it. */
function topLevelVariables(text: string): Variable[] {
  const found: Variable[] = []
  let index = 0
  while ((index = text.indexOf('${', index)) !== -1) {
    let depth = 0
    let end = -1
    for (let at = index + 1; at < text.length; at++) {
      if (text[at] === '{') depth++
      else if (text[at] === '}') {
        depth--
        if (depth === 0) {
          end = at + 1
          break
        }
      }
    }

    if (end === -1) break
    found.push({start: index, end, inner: text.slice(index + 2, end - 1)})
    index = end
  }

  return found
}

/** Splits a variable's inside on its top-level commas: the source, then its fallbacks. */
function splitFallbacks(inner: string): string[] {
  const parts: string[] = []
  let depth = 0
  let quote: string | undefined
  let from = 0
  for (let at = 0; at < inner.length; at++) {
    const character = inner[at]
    if (quote) {
      if (character === quote) quote = undefined
    } else if (character === '"' || character === "'") quote = character
    else if (character === '{' || character === '(') depth++
    else if (character === '}' || character === ')') depth--
    else if (character === ',' && depth === 0) {
      parts.push(inner.slice(from, at).trim())
      from = at + 1
    }
  }

  parts.push(inner.slice(from).trim())
  return parts
}

/**
 * Resolves a string's variables as far as the file tells: `${self:...}` is looked up and followed,
 * nested variables are resolved from the inside out, and sources read at deploy (SSM, Secrets Manager,
 * the shell, a file) are named. A literal default of a variable is returned apart as `fallback`.
 */
class Resolver {
  private readonly following = new Set<string>()
  private resolved = 0

  constructor(private readonly lookup: SelfLookup | undefined) {}

  value(text: string, depth = 0): {value: Resolution; fallback?: string} {
    const variables = topLevelVariables(text)
    if (variables.length === 0) return {value: {kind: 'literal', text}}
    if (variables.length === 1 && variables[0].start === 0 && variables[0].end === text.length) return this.variable(variables[0].inner, depth)
    const parts = variables.map((variable) => this.variable(variable.inner, depth).value)
    // A value built from several pieces: the first piece read from a store or the shell decides.
    const resolved = parts.find((part) => part.kind === 'resolved')
    if (resolved) return {value: resolved}
    if (parts.every((part) => part.kind === 'literal')) return {value: {kind: 'literal', text: substituted(text, variables, parts)}}
    return {value: {kind: 'reference'}}
  }

  /**
   * `text` with each variable replaced by what a deploy with no options gives it (its literal, or its
   * default, `${self:provider.stage}` of `${opt:stage, 'dev'}` included); the others are kept as written.
   * A store's name built this way (`${ssm:/app/${sls:stage}/key}`) is one a store command can read.
   */
  private substitute(text: string, depth: number): string {
    const variables = topLevelVariables(text)
    return substituted(text, variables, variables.map((variable) => this.deployed(variable.inner, depth)))
  }

  private deployed(inner: string, depth: number): Resolution {
    const {value, fallback} = this.variable(inner, depth)
    if (value.kind === 'literal') return value
    if (fallback !== undefined) return {kind: 'literal', text: fallback}
    const self = /^self:(.*)$/.exec(splitFallbacks(inner)[0]?.trim() ?? '')
    const found = self && this.lookup ? this.lookup(self[1].split('.').filter(Boolean)) : undefined
    if (found === undefined || found.rest.length > 0 || !isScalar(found.node) || typeof found.node.value !== 'string') return value
    const own = this.value(found.node.value, depth + 1)
    return own.fallback === undefined ? value : {kind: 'literal', text: own.fallback}
  }

  /** One variable: its source, then its fallbacks when the source is not in the file. */
  private variable(inner: string, depth: number): {value: Resolution; fallback?: string} {
    if (depth > MAX_VARIABLE_DEPTH || ++this.resolved > MAX_VARIABLES_RESOLVED) return {value: {kind: 'reference'}}
    const [source, ...fallbacks] = splitFallbacks(inner)
    const value = this.source(source, depth + 1)
    const alternatives = fallbacks.map((fallback) => this.fallback(fallback, depth + 1))
    // A `${self:...}` the file does not have takes its default: the default is what is deployed.
    if (value.kind === 'missing') return {value: alternatives.find((alternative) => alternative.kind !== 'missing') ?? {kind: 'reference'}}
    // An option, a stage, a variable of the shell: the default is deployed when it is not given.
    const literal = alternatives.find((alternative) => alternative.kind === 'literal')
    if (value.kind === 'reference') {
      const resolved = alternatives.find((alternative) => alternative.kind === 'resolved')
      if (resolved) return {value: resolved}
    }

    return literal?.kind === 'literal' ? {value, fallback: literal.text} : {value}
  }

  private fallback(text: string, depth: number): Resolution {
    const quoted = /^(['"])(.*)\1$/s.exec(text)
    if (quoted) return {kind: 'literal', text: quoted[2]}
    if (/^-?\d+(\.\d+)?$|^(true|false)$/.test(text)) return {kind: 'literal', text}
    if (text.startsWith('${')) return this.value(text, depth).value
    return this.source(text, depth)
  }

  private source(written: string, depth: number): Resolution {
    const source = this.substitute(written, depth).trim()
    const secretsManager = /^ssm(?:\([^)]*\))?:\/?aws\/reference\/secretsmanager\/(.+)$/.exec(source) ?? /^(?:aws:)?secretsmanager[:(](.+?)\)?$/.exec(source)
    if (secretsManager) return {kind: 'resolved', source: 'secretsmanager', path: secretsManager[1].replace(/~true$/, '')}
    const ssm = /^ssm(?:\([^)]*\))?:(.+)$/.exec(source)
    if (ssm) return {kind: 'resolved', source: 'ssm', path: ssm[1].replace(/~(true|false|split|noDecrypt)$/, '')}
    const env = /^env:(.+)$/.exec(source)
    if (env) return {kind: 'resolved', source: 'env', path: env[1].trim()}
    // `file(path)` or `file(path):KEY`: the file is read at deploy, never here (scan reads one file at a time).
    const file = /^file\((.+?)\)(?::(.+))?$/.exec(source)
    if (file) return {kind: 'resolved', source: 'file', path: file[2] === undefined ? file[1] : `${file[1]}:${file[2]}`}
    const self = /^self:(.*)$/.exec(source)
    if (self && this.lookup) return this.self(self[1].trim(), depth)
    return {kind: 'reference'}
  }

  /** `${self:a.b.c}`: the value at that path, followed when it is a variable itself. */
  private self(path: string, depth: number): Resolution {
    if (this.following.has(path)) return {kind: 'reference'}
    const found = this.lookup!(path.split('.').filter(Boolean))
    if (found === undefined) return {kind: 'missing'}
    const {node, rest} = found
    if (!isScalar(node) || node.value === null || typeof node.value === 'object') return {kind: 'reference'}
    this.following.add(path)
    try {
      const {value} = this.value(String(node.value), depth)
      if (rest.length === 0) return value
      // A path that goes on inside what a variable brings: a key of a file, a field of a JSON value.
      if (value.kind === 'resolved') return {...value, path: value.source === 'file' ? `${value.path}${FILE_KEY.test(value.path.replaceAll(/\$\{[^{}]*\}/g, '')) ? '.' : ':'}${rest.join('.')}` : value.path}
      return value.kind === 'literal' ? {kind: 'missing'} : value
    } finally {
      this.following.delete(path)
    }
  }
}

function substituted(text: string, variables: readonly Variable[], values: readonly Resolution[]): string {
  let out = ''
  let from = 0
  for (const [index, variable] of variables.entries()) {
    const value = values[index]
    out += text.slice(from, variable.start) + (value.kind === 'literal' ? value.text : text.slice(variable.start, variable.end))
    from = variable.end
  }

  return out + text.slice(from)
}

/**
 * Where a string's deploy-time variables take it from. `lookup` reads `${self:...}` in the file; without
 * it, `${self:...}` is configuration. The literal default of a variable comes back as `fallback`.
 */
export function serverlessEnvValue(text: string, lookup?: SelfLookup): {value: EnvValue; fallback?: string} {
  const {value, fallback} = new Resolver(lookup).value(text)
  return {value: value.kind === 'missing' ? {kind: 'reference'} : value, ...(fallback === undefined ? {} : {fallback})}
}

/** Serverless's own variables carry colons that would break an ARN apart. */
function withVariables(text: string): string {
  return text
    .replaceAll('${aws:region}', 'region')
    .replaceAll('${aws:accountId}', '123456789012')
    .replaceAll('${aws:partition}', 'aws')
    .replaceAll(/\$\{([^{}]*)\}/g, (_, inner: string) => `\${${inner.replaceAll(':', '.')}}`)
}

export function extractServerless(tree: Tree): Extracted {
  const extracted: Extracted = {format: 'serverless', env: [], parameters: [], policies: []}
  const {root} = tree
  const literal = (node: Node | undefined) => {
    const value = nodeValue(tree, node)
    return value.kind === 'literal' ? value.text : undefined
  }

  // `${self:a.b}` walks the file's keys; a scalar met before the path ends is a variable the rest reads into.
  const lookup: SelfLookup = (path) => {
    let node = root
    for (const [index, key] of path.entries()) {
      if (isScalar(node)) return {node, rest: path.slice(index)}
      const next = tree.get(node, key)
      if (next === undefined) return undefined
      node = next
    }

    return {node, rest: []}
  }

  const provider = tree.get(root, 'provider')
  const {service, stage, functions, scope, fillIn} = deployedNames(tree, lookup)
  const everyFunction = functions.map((fn) => fn.name)

  // An environment may name the CloudFormation under `resources` (`Ref: AParameter`): read as CloudFormation reads it.
  const intrinsic = intrinsicEnvReader(tree, tree.get(root, 'resources'))
  // A function's own runtime, else the provider's.
  const providerRuntime = literal(tree.get(provider, 'runtime'))
  const runtimeOf = (node: Node | undefined) => literal(tree.get(node, 'runtime')) ?? providerRuntime
  const grantee = (fn: (typeof functions)[number]): Grantee => {
    const runtime = runtimeOf(fn.node)
    return {name: fn.name, key: fn.key, ...(runtime === undefined ? {} : {runtime})}
  }

  const variables = (
    node: Node | undefined,
    resource: string,
    workload: string,
    where: string,
    runtime: string | undefined,
    scope: {env: string; service: string},
    fns: typeof functions,
  ): EnvEntry[] =>
    tree.entries(node).flatMap(([variable, valueNode]) => {
      const value = nodeValue(tree, valueNode)
      if (value.kind === 'other') return []
      const grantees = fns.map((fn) => grantee(fn))
      const note = fillIn(fns)
      const entry = {
        resource,
        workload,
        where,
        variable,
        ...(runtime === undefined ? {} : {runtime}),
        scope,
        ...(grantees.length === 0 ? {} : {grantees}),
        ...(note === undefined ? {} : {fillIn: note}),
        position: tree.position(valueNode),
      }
      const {value: envValue, fallback} =
        value.kind === 'literal' ? serverlessEnvValue(value.text, lookup) : {value: intrinsic(valueNode, entry) ?? ({kind: 'reference'} as EnvValue)}
      // A literal default is committed and deployed whenever its source is absent: judged by its shape.
      return [{...entry, value: envValue}, ...(fallback === undefined ? [] : [{...entry, value: {kind: 'literal', text: fallback} as EnvValue, fallback: true}])]
    })

  const functionRuntimes = new Set(functions.map((fn) => runtimeOf(fn.node)))
  const sharedRuntime = functions.length === 0 ? providerRuntime : functionRuntimes.size === 1 ? [...functionRuntimes][0] : undefined
  // provider.environment is in every function's configuration: each function gets its own grant.
  const providerWorkload = functions.length === 1 ? functions[0].name : `${service}-${stage}`
  extracted.env.push(...variables(tree.get(provider, 'environment'), 'provider', providerWorkload, 'provider.environment', sharedRuntime, scope.provider, functions))
  for (const fn of functions) {
    extracted.env.push(...variables(tree.get(fn.node, 'environment'), `functions.${fn.key}`, fn.name, `functions.${fn.key}.environment`, runtimeOf(fn.node), scope.of(fn.key), [fn]))
  }

  // One role for every function: provider.iam.role.statements (v3, v4) or provider.iamRoleStatements (v1, v2).
  for (const path of [
    ['provider', 'iam', 'role', 'statements'],
    ['provider', 'iamRoleStatements'],
  ]) {
    const node = tree.at(root, ...path)
    if (node !== undefined) extracted.policies.push(policy(tree, path, 'provider.iam', everyFunction, node))
  }

  // Per-function roles (serverless-iam-roles-per-function): iamRoleStatements under the function.
  for (const fn of functions) {
    const node = tree.get(fn.node, 'iamRoleStatements')
    if (node !== undefined) extracted.policies.push(policy(tree, ['functions', fn.key, 'iamRoleStatements'], `functions.${fn.key}`, [fn.name], node))
  }

  // The secrets each function is told to read: the provider's environment is every function's.
  const targetOf = targetReader(tree, tree.get(root, 'resources'))
  const targetsIn = (node: Node | undefined) =>
    tree.entries(node).flatMap(([variable, valueNode]) => {
      const value = nodeValue(tree, valueNode)
      const resolved = value.kind === 'literal' ? serverlessEnvValue(value.text, lookup).value : undefined
      return (resolved?.kind === 'resolved' ? resolvedTarget(resolved, variable) : undefined) ?? targetOf(variable, valueNode) ?? []
    })
  const shared = targetsIn(tree.get(provider, 'environment'))
  extracted.targets = Object.fromEntries(functions.map((fn) => [fn.name, [...shared, ...targetsIn(tree.get(fn.node, 'environment'))]]))
  extracted.functionKeys = Object.fromEntries(functions.map((fn) => [fn.name, fn.key]))

  const resources = tree.get(root, 'resources')
  if (tree.get(resources, 'Resources') !== undefined) {
    const cloudFormation = extractCloudFormation(tree, 'serverless', resources)
    extracted.env.push(...cloudFormation.env)
    extracted.parameters.push(...cloudFormation.parameters)
    extracted.policies.push(...cloudFormation.policies)
    if (cloudFormation.secretPolicies) extracted.secretPolicies = cloudFormation.secretPolicies
  }

  return extracted
}

/** Serverless's default stage, when neither provider.stage nor `--stage` gives one. */
const DEFAULT_STAGE = 'dev'

/** Variables that name the stage being deployed, which a function's `name:` is often built from. */
const STAGE_VARIABLES = new Set(['sls:stage', 'opt:stage', 'self:provider.stage', 'provider:stage'])

/**
 * The names serverless.yml deploys its functions under: `functions.<key>` as `<service>-<stage>-<key>`,
 * or its own `name:`. The stage is provider.stage (or the default a variable gives, `${opt:stage, 'prod'}`),
 * else `dev`; what only the deploy tells (`${opt:stage}` without a default) is left as a placeholder,
 * STAGE, SERVICE or FUNCTION, that `fillIn` names. The secrets' scope is the stage and the service
 * (with the function's key, for a function's own environment).
 */
function deployedNames(tree: Tree, lookup: SelfLookup) {
  const {root} = tree
  const provider = tree.get(root, 'provider')
  // What a name's text comes to once its variables are read: the literal, the default a variable gives
  // (`defaulted`), or undefined when only the deploy tells.
  const resolve = (text: string): {text: string; defaulted: boolean} | undefined => {
    const {value, fallback} = serverlessEnvValue(text, lookup)
    if (value.kind === 'literal') return {text: value.text, defaulted: false}
    return fallback === undefined ? undefined : {text: fallback, defaulted: true}
  }

  const literal = (node: Node | undefined) => {
    const value = nodeValue(tree, node)
    return value.kind === 'literal' ? value.text : undefined
  }

  const serviceNode = tree.get(root, 'service')
  // v1 wrote `service: {name: ...}`.
  const serviceText = literal(tree.get(serviceNode, 'name') ?? serviceNode)
  const service = (serviceText === undefined ? undefined : resolve(serviceText)?.text) ?? 'SERVICE'
  const stageText = literal(tree.get(provider, 'stage'))
  const stageValue = stageText === undefined ? {text: DEFAULT_STAGE, defaulted: false} : resolve(stageText)
  const stage = stageValue?.text ?? 'STAGE'
  // A function's own name, each variable read on its own: the stage and the service (`${sls:stage}` is not
  // in the file), else what the file or the variable's default gives. `${opt:stage, 'x'}` is x unless
  // --stage is given, as provider.stage's default is.
  const nameOf = (text: string): {name: string; staged: boolean} => {
    const variables = topLevelVariables(text)
    let staged = false
    const known = variables.map((variable): Resolution => {
      const [source, ...fallbacks] = splitFallbacks(variable.inner)
      if (STAGE_VARIABLES.has(source)) staged = true
      if (STAGE_VARIABLES.has(source) && (source !== 'opt:stage' || fallbacks.length === 0)) return {kind: 'literal', text: stage}
      if (source === 'self:service') return {kind: 'literal', text: service}
      const value = resolve(text.slice(variable.start, variable.end))
      return value === undefined ? {kind: 'reference'} : {kind: 'literal', text: value.text}
    })
    return {name: resolve(substituted(text, variables, known))?.text ?? 'FUNCTION', staged}
  }

  const functions = tree.entries(tree.get(root, 'functions')).map(([key, node]) => {
    const own = tree.get(node, 'name')
    const ownText = literal(own)
    const {name, staged} = own === undefined ? {name: `${service}-${stage}-${key}`, staged: true} : ownText === undefined ? {name: 'FUNCTION', staged: false} : nameOf(ownText)
    return {key, node, name, staged}
  })
  const env = partProblem('environment', stage) === undefined && stage !== 'STAGE' ? stage : 'ENV'
  const serviceScope = (name: string) => ({env, service: partProblem('service', name) === undefined ? name : 'SERVICE'})
  // A function's own environment is its own secrets (two functions' API_KEY are seldom the same secret);
  // provider.environment is one value every function reads, so one secret of the service.
  const scope = {provider: serviceScope(service), of: (key: string) => serviceScope(`${service}-${key}`)}
  // What the fix says of the names it prints: the placeholders to fill in, or the stage they are for.
  const fillIn = (fns: typeof functions): string | undefined => {
    const staged = fns.some((fn) => fn.staged)
    const parts = [
      ...(staged && stage === 'STAGE' ? ['STAGE and ENV with the stage you deploy (provider.stage is given at deploy)'] : []),
      ...(fns.some((fn) => /\bSERVICE\b/.test(fn.name)) ? ["SERVICE with the service's name"] : []),
      ...fns.filter((fn) => fn.name === 'FUNCTION').map((fn) => `FUNCTION with the name functions.${fn.key} is deployed under (its name: is given at deploy)`),
    ]
    if (parts.length > 0) return `fill in ${parts.join('; ')}`
    if (staged && stageValue?.defaulted) return `--function names the function deployed to stage ${stage} (provider.stage's default); for another stage, put it in place of ${stage}`
    return undefined
  }

  return {service, stage, functions, scope, fillIn}
}

/** A statement list at `path`; a list as written can be edited in place by a fix. */
function policy(tree: Tree, path: string[], role: string, holders: string[], statements: Node): PolicyEntry {
  return {
    resource: path.join('.'),
    role,
    holders,
    statements: statementList(tree, tree.items(statements), withVariables),
    position: tree.position(statements),
    ...(isSeq(statements) ? {place: {kind: 'statements' as const, at: path}} : {}),
  }
}
