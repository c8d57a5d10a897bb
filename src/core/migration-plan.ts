import {createHash} from 'node:crypto'

import {type Scope, SecretAddress} from './address.js'
import {MAX_SECRET_BYTES} from './secret-value.js'
import {noun} from './words.js'
import {serviceOfWorkload} from './workload-scope.js'

/** How a summary names a source and what happens to it once its secret verified (each source has its own). */
export interface SourceWords {
  noun: string
  deleted: string
  toDelete: string
  kept: string
}

/**
 * One value found in a source, as the plan keeps it: names, size and a SHA-256 digest, never the
 * value itself, so a plan of thousands of items stays small and can be printed or logged safely.
 */
export interface SourceItem {
  /** SSM parameter name, the .env key, or the environment variable (`container/VARIABLE` for ECS). */
  name: string
  /** SSM type (String, StringList, SecureString); undefined for .env entries. */
  type?: string
  /** Line of a .env entry. */
  line?: number
  /** Hex SHA-256 of the value's bytes. Internal: never printed (a short value's hash can be guessed). */
  digest: string
  byteLength: number
  /** Why --secrets-only kept it (the audit's words); names and rules only, never the value. */
  selected?: string
}

/**
 * What the plan says about one item:
 * - `create`: no target yet; `update`: the target holds another value; `unchanged`: identical value;
 * - `collision`: another source maps to the same target; `unmapped`: no target can be derived;
 * - `invalid`: the target name or the value cannot be stored;
 * - `conflict`: the target is scheduled for deletion (nothing may be written until it is restored);
 * - `left`: --secrets-only judged it not a secret; it stays where it is.
 */
export type PlanState = 'create' | 'update' | 'unchanged' | 'collision' | 'unmapped' | 'invalid' | 'conflict' | 'left'

export interface PlanItem {
  source: SourceItem
  /** Full target name; undefined when unmapped or when no valid name could be made. */
  target?: string
  state: PlanState
  /** Why an item is collision, unmapped or invalid. Names only. */
  reason?: string
}

/** The current state of a target, as one batched read found it. */
export interface TargetState {
  digest: string
  /** The version that is AWSCURRENT now; part of the next write's idempotency token. */
  versionId?: string
  /** True when the secret is scheduled for deletion: writing to it fails until it is restored. */
  scheduledForDeletion?: boolean
}

export type Mapping = {state: 'mapped'; target: string} | {state: 'unmapped' | 'invalid'; reason: string}

/** Hex SHA-256 of a value's bytes. */
export function digestOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/**
 * Maps an SSM parameter name to a secret. With `to`, the last path segment becomes the name in that
 * scope; without it, only a name already shaped `/<env>/<service>/<name>` maps (to itself). A name
 * that would not be a valid address is reported with the reason, never renamed.
 */
export function mapSsmName(name: string, to?: Scope, flatten?: {below: string}): Mapping {
  const segments = name.replace(/^\//, '').split('/')
  if (flatten) {
    // --flatten keeps what the deeper segments said: queue/URL becomes QUEUE_URL, not URL.
    if (to) return validAddress(() => to.secret(flattenedName(relativeSegments(name, flatten.below))))
    if (name.startsWith('/') && segments.length >= 3) return validAddress(() => SecretAddress.of(segments[0], segments[1], flattenedName(segments.slice(2))))
  } else if (to) {
    return validAddress(() => to.secret(segments.at(-1) ?? ''))
  }

  if (!name.startsWith('/') || segments.length !== 3) {
    return {
      state: 'unmapped',
      reason: `has ${segments.length} path ${noun(segments.length, 'segment')}, not /<env>/<service>/<name>; pass --to ENV/SERVICE to map it by its last segment, or --flatten to join the deeper segments into its name`,
    }
  }

  const mapping = validAddress(() => SecretAddress.of(segments[0], segments[1], segments[2]))
  // A valid /<env>/<service>/<name> is its own secret's name: the target is the parameter's own string,
  // not a second one joined from its segments (which V8 keeps as a chain of pieces, about 280 bytes),
  // since a streamed run of 10,000 parameters keeps every target in its report lines to the end.
  return mapping.state === 'mapped' && mapping.target === name ? {state: 'mapped', target: name} : mapping
}

/**
 * The name --flatten gives the segments of a parameter below the migrated path: joined with `_` and
 * upper-cased, as environment variables are named (`queue/URL` -> `QUEUE_URL`,
 * `integrations/avalara/API_KEY` -> `INTEGRATIONS_AVALARA_API_KEY`).
 */
export function flattenedName(segments: readonly string[]): string {
  return segments.join('_').toUpperCase()
}

/** The segments of `name` below `path` (`/prod/billing` + `/prod/billing/queue/URL` -> queue, URL); the last one alone when it is not below. */
function relativeSegments(name: string, path: string): string[] {
  const prefix = path === '/' ? '/' : `${path.replace(/\/+$/, '')}/`
  const segments = name.replace(/^\//, '').split('/')
  return name.startsWith(prefix) ? name.slice(prefix.length).split('/') : segments.slice(-1)
}

/** Maps a .env key to `<scope>/<key>`. */
export function mapDotenvKey(key: string, to: Scope): Mapping {
  return validAddress(() => to.secret(key))
}

/**
 * `FUNCTION/VARIABLE` under --all-functions --to ENV: /ENV/<service of FUNCTION>/VARIABLE, the service
 * read off the function's name as audit's fix reads it (serviceOfWorkload: `orders-api-prod` is
 * `orders-api`), so the fix, the plan and the grant printed after the run name one scope. --prefix
 * only selects functions: cutting it off too would name a service the fix never mentions.
 */
export function mapFunctionVariable(item: string, env: string): Mapping {
  const slash = item.indexOf('/')
  const fn = item.slice(0, slash)
  const service = serviceOfWorkload(fn)
  if (service === undefined) return {state: 'unmapped', reason: `the function name ${fn} gives no valid service name: migrate it alone with --from-lambda ${fn} --to ${env}/SERVICE`}
  return validAddress(() => SecretAddress.of(env, service, item.slice(slash + 1)))
}

function validAddress(make: () => SecretAddress): Mapping {
  try {
    return {state: 'mapped', target: make().fullName}
  } catch (error) {
    const message = (error as Error).message.replace(/^Invalid secret address: /, '').replace(/\.$/, '')
    return {state: 'invalid', reason: `not a valid secret name: ${message}`}
  }
}

/**
 * First half of planning: the target of every source, with collisions (two sources, one target:
 * both are marked and neither is written) and values Secrets Manager would refuse.
 */
export function mapSources(sources: readonly SourceItem[], map: (source: SourceItem) => Mapping): PlanItem[] {
  const items: PlanItem[] = sources.map((source) => {
    const mapping = map(source)
    if (mapping.state !== 'mapped') return {source, state: mapping.state, reason: mapping.reason}

    if (source.byteLength === 0) return {source, target: mapping.target, state: 'invalid', reason: 'the value is empty; Secrets Manager refuses empty secrets'}
    if (source.byteLength > MAX_SECRET_BYTES) {
      return {source, target: mapping.target, state: 'invalid', reason: `the value is ${source.byteLength} bytes; Secrets Manager stores at most ${MAX_SECRET_BYTES}`}
    }

    return {source, target: mapping.target, state: 'create'}
  })

  const byTarget = new Map<string, PlanItem[]>()
  for (const item of items) {
    if (item.target === undefined || item.state !== 'create') continue
    byTarget.set(item.target, [...(byTarget.get(item.target) ?? []), item])
  }

  for (const [target, group] of byTarget) {
    if (group.length < 2) continue
    for (const item of group) {
      const others = group.filter((other) => other !== item).map((other) => describeSource(other.source))
      item.state = 'collision'
      item.reason = `${others.join(', ')} also ${noun(others.length, 'maps', 'map')} to ${target}`
    }
  }

  return items
}

/** Targets the plan must read to decide create, update or unchanged. */
export function targetsToRead(items: readonly PlanItem[]): string[] {
  return items.filter((item) => item.state === 'create' && item.target !== undefined).map((item) => item.target as string)
}

/**
 * Second half of planning: with the targets' current state (from one batched read), each mapped item
 * becomes `create`, `update` or `unchanged`. Items that are already collision, unmapped or invalid stay so.
 */
export function classify(items: readonly PlanItem[], targets: ReadonlyMap<string, TargetState>): PlanItem[] {
  return items.map((item) => {
    if (item.state !== 'create' || item.target === undefined) return item
    const current = targets.get(item.target)
    if (current === undefined) return item
    if (current.scheduledForDeletion) return {...item, state: 'conflict', reason: scheduledReason(item.target)}
    return {...item, state: current.digest === item.source.digest ? 'unchanged' : 'update'}
  })
}

/** Why a target scheduled for deletion blocks the plan, and the command that lifts it. */
export function scheduledReason(target: string): string {
  return `${target} is scheduled for deletion; run "secrets restore ${target}" to cancel the deletion, then run this command again`
}

/**
 * The ClientRequestToken of a write: a SHA-256 (64 hex characters, inside AWS's 32..64) of the target
 * and the version it replaces (or "absent"). Deterministic, so a retried or re-run write of the same
 * step never adds a second version; it depends on no value, because the token becomes the version id,
 * which DescribeSecret shows to principals that may not read the value (a hash of a short password
 * could be guessed). A later change of the target gives a new previous version and so a new token.
 */
export function writeToken(target: string, previousVersionId: string | undefined): string {
  return createHash('sha256').update(`secrets-migrate/v1\0${target}\0${previousVersionId ?? 'absent'}`).digest('hex')
}

/** How a source is named in messages: the SSM name, or `KEY (line N)` for a .env entry. */
function describeSource(source: SourceItem): string {
  return source.line === undefined ? source.name : `${source.name} (line ${source.line})`
}

/** Counts of plan states, for the summary line. */
export function countStates(items: readonly PlanItem[]): Record<PlanState, number> {
  const counts: Record<PlanState, number> = {create: 0, update: 0, unchanged: 0, collision: 0, unmapped: 0, invalid: 0, conflict: 0, left: 0}
  for (const item of items) counts[item.state] += 1
  return counts
}
