import {classify, digestOf, mapSources, type PlanItem, type PlanState, type TargetState, targetsToRead} from '../../core/migration-plan.js'
import {byPathSegments} from '../../core/order.js'
import type {SecretStore} from '../../stores/secret-store.js'
import {applyConflictPolicy, CONFLICT_BLOCKS, type ConflictPolicy} from '../copy-pipeline.js'
import type {ReadResult} from './read-source.js'
import type {ItemOutcome, ItemReport, RunInputs, Working} from './types.js'
import type {ValueCache} from './value-cache.js'

/** The plan of a run: every item with its report line, what to write, and what may be deleted. */
export interface Plan {
  working: Working[]
  /** The items still planned once --on-conflict applied: the writes, unless the plan is blocked. */
  toWrite: Working[]
  /** Why nothing may be written (a collision, a target scheduled for deletion, a conflict under fail). */
  blockedBy?: string
  /** With a source's removal (--delete-source, --remove-from-source) and a plan that runs: the sources to delete once their secret verifies. */
  sourcesToDelete: string[]
}

/**
 * Maps the sources to targets, reads the targets' state (digests only), classifies each item and
 * applies --on-conflict. Values of items that will not be written leave the cache here.
 */
export async function planMigration(store: SecretStore, options: RunInputs, read: ReadResult, cache: ValueCache): Promise<Plan> {
  const mapped = mapSources(read.sources, options.source.targetMapping(options))
  const targets = await readTargets(store, targetsToRead(mapped), options.signal)
  const planned = [...classify(mapped, targets), ...read.extraItems]
  // A .env plan reads in file order, with skipped lines where they are; an SSM plan by name.
  if (options.source.planOrder === 'line') planned.sort((a, b) => (a.source.line ?? 0) - (b.source.line ?? 0))
  else planned.sort((a, b) => byPathSegments(a.source.name, b.source.name))
  const working = planned.map((item) => plannedEntry(item, targets, options.onConflict))
  const blockedBy = blockingReason(working, options)
  const toWrite = working.filter(({report}) => report.outcome === 'planned')
  for (const {item, report} of working) if (report.outcome !== 'planned') cache.drop(item.source.name)
  const sourcesToDelete =
    options.deleteSource && options.source.removal !== undefined && blockedBy === undefined
      ? working.filter(({report}) => report.outcome === 'planned' || report.outcome === 'unchanged').map(({item}) => item.source.name)
      : []
  return {working, toWrite, ...(blockedBy === undefined ? {} : {blockedBy}), sourcesToDelete}
}

/** Why the plan writes nothing, whatever else it holds; undefined when it may run. */
function blockingReason(working: readonly Working[], options: RunInputs): string | undefined {
  if (working.some(({item}) => item.state === 'collision')) return 'two sources map to one secret'
  // A target scheduled for deletion cannot be written (CreateSecret and PutSecretValue both refuse):
  // it blocks the plan, whatever --on-conflict says, until it is restored.
  if (working.some(({item}) => item.state === 'conflict')) return 'a target is scheduled for deletion'
  if (options.onConflict === 'fail' && working.some(({item}) => item.state === 'update')) return CONFLICT_BLOCKS
  return undefined
}

/**
 * A classified item as the run tracks it: its report line as planned, the target's state it was
 * planned against, and --on-conflict applied to an update. A whole plan and a streamed one both
 * build their entries here.
 */
export function plannedEntry(item: PlanItem, targets: ReadonlyMap<string, TargetState>, onConflict: ConflictPolicy): Working {
  const entry: Working = {item, previous: item.target === undefined ? undefined : targets.get(item.target), report: initialReport(item)}
  if (item.state === 'update') applyConflictPolicy(entry.report, onConflict)
  return entry
}

/** An item's report line as planned: names and states only. */
function initialReport(item: PlanItem): ItemReport {
  return {
    source: item.source.name,
    ...(item.source.line === undefined ? {} : {line: item.source.line}),
    ...(item.source.type === undefined ? {} : {type: item.source.type}),
    ...(item.target === undefined ? {} : {target: item.target}),
    plan: item.state,
    outcome: initialOutcome(item.state),
    ...(item.reason === undefined ? {} : {reason: item.reason}),
    ...(item.source.selected === undefined ? {} : {selected: item.source.selected}),
  }
}

function initialOutcome(state: PlanState): ItemOutcome {
  if (state === 'create' || state === 'update') return 'planned'
  return state
}

/**
 * The current state of the targets that exist. When the targets share few scopes, one listing per
 * scope (100 names a call, including secrets scheduled for deletion) first says which exist, so a
 * fresh migration reads no values at all; otherwise every target is read in batches of 20. Listing is
 * eventually consistent on AWS: a secret it misses is caught at write time (see `settleRechecks`).
 */
async function readTargets(store: SecretStore, names: string[], signal: AbortSignal | undefined): Promise<Map<string, TargetState>> {
  const targets = new Map<string, TargetState>()
  if (names.length === 0) return targets
  const scopes = new Set(names.map((name) => name.slice(0, name.lastIndexOf('/') + 1)))
  let existing = names
  if (scopes.size <= Math.ceil(names.length / 20)) {
    const wanted = new Set(names)
    existing = []
    for (const prefix of scopes) {
      for await (const secret of store.list(prefix, {includeDeleted: true, signal})) {
        if (!wanted.has(secret.name)) continue
        if (secret.deletedDate) targets.set(secret.name, {digest: '', scheduledForDeletion: true})
        else existing.push(secret.name)
      }
    }
  }

  for (const [name, state] of await readTargetValues(store, existing)) targets.set(name, state)
  return targets
}

/** The state of targets known or thought to exist, from their values (20 a call): digests, version ids, or scheduled for deletion. */
export async function readTargetValues(store: SecretStore, names: string[]): Promise<Map<string, TargetState>> {
  const targets = new Map<string, TargetState>()
  if (names.length === 0) return targets
  const {values, versionIds, scheduled} = await store.getMany(names)
  for (const [name, value] of values) targets.set(name, {digest: digestOf(value.bytes), versionId: versionIds?.get(name)})
  for (const name of scheduled ?? []) targets.set(name, {digest: '', scheduledForDeletion: true})
  return targets
}
