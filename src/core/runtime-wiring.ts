/**
 * What a function needs, besides its policy, to read its secrets at run time (`grant --runtime`):
 * the environment variables that name them (configuration, never a value), the handler that reads
 * them (runtime-snippets.ts), and the cache age with what rotation does to it. Pure.
 */
import type {SecretAddress} from './address.js'
import {UsageError} from './errors.js'
import {fieldNameProblem} from './json-fields.js'
import {escapeLine, printable} from './printable.js'
import {EXTENSION_MAX_TTL, EXTENSION_TTL_VARIABLE, handlerSnippet, type Runtime, type SecretReading, taskModuleSnippet, type Via} from './runtime-snippets.js'

/**
 * The cache age when --max-age is not given: 300 s. A warm execution environment then calls
 * GetSecretValue at most once every five minutes per secret (a few thousand calls a month for a busy
 * function, far under the API's quota), and a rotated value reaches every environment within five
 * minutes. It is also the longest the AWS Parameters and Secrets Lambda Extension caches (its
 * SECRETS_MANAGER_TTL defaults to and is capped at 300 s).
 */
export const DEFAULT_MAX_AGE = 300

/** Why the default is what it is, in the words the output's comment uses. */
export const DEFAULT_MAX_AGE_REASON =
  'at most one GetSecretValue per secret every 5 minutes in each warm execution environment, and a rotated value reaches every one of them within 5 minutes'

/** The default's reason for an ECS task, whose process lives on. */
const TASK_MAX_AGE_REASON = 'at most one GetSecretValue per secret every 5 minutes in each running task, and a rotated value reaches every one of them within 5 minutes'

/**
 * The overlap counted on when a secret rotates: how long the value it replaced may still be served
 * from a cache and keep working. 300 s, the cap AWS puts on its own extension's cache. With
 * alternating-users rotation the previous value works for a whole rotation interval; with single-user
 * rotation it stops at once, so a handler should read again (forceFetch) on an authentication error.
 */
export const ROTATION_OVERLAP_SECONDS = 300

/** Longest accepted --max-age: a day (a value cached longer outlives any sensible rotation). */
export const MAX_MAX_AGE = 86_400

/** What a function declares it reads of one secret: the whole value, or these fields of a key/value document. */
export interface SecretNeed {
  address: SecretAddress
  fields: string[]
}

/** `DB_PASS` or `DB:password` (a field of a key/value secret): `:` is never part of a secret's name. */
export function parseSecretSpec(spec: string): {name: string; field?: string} {
  const colon = spec.indexOf(':')
  if (colon === -1) return {name: spec}
  const name = spec.slice(0, colon)
  const field = spec.slice(colon + 1)
  if (field.length === 0 || field.length > 256) {
    throw new UsageError(`Invalid secret "${printable(spec)}": after NAME: comes the name of one field of the key/value secret, e.g. DB:password.`)
  }

  // The field is written into the handler and into comments of every format: the same rule as set --field.
  const problem = fieldNameProblem(field)
  if (problem !== undefined) throw new UsageError(`Invalid secret "${printable(spec)}": its field name ${problem}.`)

  return {name, field}
}

/** Groups NAME and NAME:FIELD specs by secret, in first-seen order, each field once. */
export function groupSpecs(specs: readonly string[]): {name: string; fields: string[]}[] {
  const byName = new Map<string, string[]>()
  for (const spec of specs) {
    const {name, field} = parseSecretSpec(spec)
    const fields = byName.get(name) ?? []
    if (field !== undefined && !fields.includes(field)) fields.push(field)
    byName.set(name, fields)
  }

  return [...byName].map(([name, fields]) => ({name, fields}))
}

/** `DB_PASS` -> `DB_PASS_SECRET_ID`, `db.pass` -> `DB_PASS_SECRET_ID`: Lambda's rule for variable names, [A-Za-z][A-Za-z0-9_]*. */
export function secretIdVariable(name: string): string {
  const upper = name.toUpperCase().replaceAll(/[^A-Z0-9]+/g, '_').replaceAll(/^_+|_+$/g, '')
  const base = /^[A-Z]/.test(upper) ? upper : upper === '' ? 'SECRET' : `SECRET_${upper}`
  return `${base}_SECRET_ID`
}

/** A function's environment: each variable names one secret (its full name); refused when two names give one variable. */
export function secretEnvironment(functionName: string, needs: readonly SecretNeed[]): {variables: Record<string, string>; readings: SecretReading[]} {
  const variables: Record<string, string> = {}
  const readings: SecretReading[] = []
  for (const need of needs) {
    const variable = secretIdVariable(need.address.name)
    const other = variables[variable]
    if (other !== undefined && other !== need.address.fullName) {
      throw new UsageError(`${other} and ${need.address.fullName} would both be named by ${variable} in ${functionName}'s environment.`, 'Rename one of the secrets.')
    }

    variables[variable] = need.address.fullName
    readings.push({variable, name: need.address.name, fields: need.fields})
  }

  return {variables, readings}
}

/** What DescribeSecret said about a secret's rotation, or why it was not asked. */
export type RotationState =
  | {kind: 'enabled'; afterDays?: number; schedule?: string}
  | {kind: 'disabled'}
  | {kind: 'unchecked'; reason: string}

/** The cache age, where it came from, and what rotation does to it: the lines of the output's comment. */
export interface CachePlan {
  maxAge: number
  /** Why this age: the default's reason, or that --max-age set it. */
  reason: string
  rotation: {secret: string; state: RotationState}[]
  /** One line per secret whose cache outlives the overlap of its rotation (see ROTATION_OVERLAP_SECONDS). */
  warnings: string[]
}

export function cachePlan(maxAge: number | undefined, rotation: {secret: string; state: RotationState}[]): CachePlan {
  const age = maxAge ?? DEFAULT_MAX_AGE
  const warnings = rotation
    .filter((entry) => entry.state.kind === 'enabled' && age > ROTATION_OVERLAP_SECONDS)
    .map(
      (entry) =>
        `${entry.secret} rotates (${rotationText(entry.state)}) and maxAge ${age} s outlives the ${ROTATION_OVERLAP_SECONDS} s a replaced value can be counted on to keep working: lower --max-age to ${ROTATION_OVERLAP_SECONDS} or less, or read again with forceFetch on an authentication error.`,
    )
  return {maxAge: age, reason: maxAge === undefined ? DEFAULT_MAX_AGE_REASON : 'set with --max-age', rotation, warnings}
}

/** AWS's ScheduleExpression is text from AWS: escaped, as it reaches comments of generated code and stderr. */
function rotationText(state: RotationState): string {
  if (state.kind !== 'enabled') return state.kind
  if (state.schedule) return `schedule ${escapeLine(state.schedule)}`
  return state.afterDays === undefined ? 'enabled' : `every ${state.afterDays} days`
}

/** The comment lines about caching: the age and why, then each secret's rotation as checked (or not). */
export function cacheNotes(plan: CachePlan): string[] {
  const lines = [`Cache: maxAge ${plan.maxAge} s (${plan.reason}).`]
  const unchecked = plan.rotation.filter((entry) => entry.state.kind === 'unchecked')
  for (const entry of plan.rotation) {
    if (entry.state.kind !== 'unchecked') lines.push(`Rotation of ${escapeLine(entry.secret)}: ${rotationText(entry.state)}.`)
  }

  if (unchecked.length > 0) {
    const reasons = [...new Set(unchecked.map((entry) => escapeLine((entry.state as {reason: string}).reason)))]
    lines.push(`Rotation not checked for ${unchecked.map((entry) => entry.secret).join(', ')} (${reasons.join('; ')}).`)
  }

  return [...lines, ...plan.warnings.map((warning) => `Warning: ${warning}`)]
}

/** One function's wiring, ready to render beside its policy. */
export interface FunctionWiring {
  functionName: string
  runtime: Runtime
  /** Variable -> the secret's full name (or ARN): configuration, not a secret. */
  environment: Record<string, string>
  /** The handler module that reads them. */
  code: string
  /** `--via extension`: the function needs the AWS Parameters and Secrets Lambda Extension's layer. */
  extensionLayer?: boolean
  /** `--task`: an ECS task definition family; `code` is a module its application imports, not a handler. */
  task?: boolean
  /** Cache age and rotation, one line each. */
  notes: string[]
}

/**
 * One function's wiring: its environment, its handler, and its cache plan over the rotation of its
 * own secrets. `maxAge` is --max-age (undefined: the default); `rotation` maps full names to what
 * DescribeSecret said.
 */
export function functionWiring(
  functionName: string,
  runtime: Runtime,
  needs: readonly SecretNeed[],
  cache: {maxAge?: number; rotation: ReadonlyMap<string, RotationState>},
  via: Via = 'library',
  task = false,
): FunctionWiring & {plan: CachePlan} {
  const {variables, readings} = secretEnvironment(functionName, needs)
  const unknown: RotationState = {kind: 'unchecked', reason: 'not asked'}
  const plan = cachePlan(cache.maxAge, needs.map((need) => ({secret: need.address.fullName, state: cache.rotation.get(need.address.fullName) ?? unknown})))
  if (task) {
    if (via !== 'library') throw new UsageError('--via extension is a Lambda layer: an ECS task reads its secrets with the AWS SDK (leave out --via).')
    const taskPlan = cache.maxAge === undefined ? {...plan, reason: TASK_MAX_AGE_REASON} : plan
    return {functionName, runtime, environment: variables, code: taskModuleSnippet(runtime, readings, plan.maxAge), notes: cacheNotes(taskPlan), plan: taskPlan, task: true}
  }

  const code = handlerSnippet(runtime, readings, plan.maxAge, via)
  if (via === 'library') return {functionName, runtime, environment: variables, code, notes: cacheNotes(plan), plan}
  if (plan.maxAge > EXTENSION_MAX_TTL) {
    throw new UsageError(`--max-age ${plan.maxAge}: the secrets extension caches for at most ${EXTENSION_MAX_TTL} s (its ${EXTENSION_TTL_VARIABLE}).`)
  }

  // The extension reads its TTL from the function's environment: configuration, like the names.
  const environment = {...variables, [EXTENSION_TTL_VARIABLE]: String(plan.maxAge)}
  const layer = `Layer: the AWS Parameters and Secrets Lambda Extension, its ARN for the function's region as the parameter ${EXTENSION_LAYER_PARAMETER} (AWS lists one per region).`
  return {functionName, runtime, environment, code, notes: [...cacheNotes(plan), layer], plan, extensionLayer: true}
}

/** The template parameter that holds the extension's layer ARN (it differs by region). */
export const EXTENSION_LAYER_PARAMETER = 'SecretsExtensionLayerArn'

/** The comment every format puts on the environment it prints. */
export const CONFIGURATION_NOTE = "Secret names only: a secret's name is configuration, not a secret; the function reads the value at run time."

/** The same for a container's environment: the task reads the value with its task role. */
export const TASK_CONFIGURATION_NOTE = "Secret names only: a secret's name is configuration, not a secret; the task reads the value at run time with its task role."
