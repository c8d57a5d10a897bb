import {type CostEstimate, estimateCost, estimateWriteCalls} from '../core/cost.js'
import {InterruptedError} from '../core/errors.js'
import {ListingStoppedError} from '../core/paging.js'
import type {SecretStore} from '../stores/secret-store.js'
import {markNotRun} from './copy-pipeline.js'
import {migratedEarlierNote, unmatchedOnly} from './migrate/already-migrated.js'
import {writeAll} from './migrate/execute.js'
import {type Plan, planMigration} from './migrate/plan.js'
import {readSource} from './migrate/read-source.js'
import {buildReport, type ReportExtras} from './migrate/report.js'
import {sourceOf} from './migrate/sources/index.js'
import type {PagedListing} from './migrate/sources/source.js'
import {existingTargets, streamMigration} from './migrate/stream.js'
import type {DeletionResult, ItemReport, MigrateOptions, MigrationProgress, MigrationReport, Planning, RunOptions, Tracker} from './migrate/types.js'
export type {Planning} from './migrate/types.js'
export type {VerifiedRemoval} from './migrate/sources/source.js'
export {dotenvSource, ecsSource, lambdaSource, ssmSource} from './migrate/sources/index.js'
import {DEFAULT_VALUE_CACHE_BYTES, ValueCache} from './migrate/value-cache.js'
import {verify} from './migrate/verify.js'

/*
 * `secrets migrate`, step by step: migrate/sources (one module per kind of source, behind one
 * interface), migrate/read-source (the selection), migrate/plan
 * (targets read, items classified, --on-conflict), migrate/execute (the write scheduler),
 * migrate/verify (read-back), migrate/delete-source (with its re-checks), migrate/report (totals,
 * exit code, hints), migrate/value-cache, migrate/already-migrated (re-runs), migrate/types and
 * migrate/model (what they share).
 */

export type {
  ConflictPolicy,
  ItemOutcome,
  ItemReport,
  MigrateOptions,
  MigrationPhase,
  MigrationProgress,
  MigrationRecipe,
  MigrationReport,
  MigrationSelection,
  MigrationSource,
  PlanInputs,
  PlanSummary,
  RunHooks,
  SourceSpec,
} from './migrate/types.js'

/**
 * Moves SSM parameters or .env entries into Secrets Manager: read, plan, (stop on a dry run or a
 * blocking plan), write with bounded concurrency and idempotency tokens, verify by batched read-back,
 * and for SSM optionally delete verified sources. Every step can be re-run: finished items plan as
 * `unchanged`, so an interrupted run is finished by running it again.
 */
export async function migrate(store: SecretStore, given: MigrateOptions): Promise<MigrationReport> {
  const options: RunOptions = {...given, source: sourceOf(given.source)}
  const tracker = startTracker(options)
  try {
    return await runMigration(store, options, tracker)
  } catch (error) {
    // The first Ctrl-C or SIGTERM stopped a listing before any write (the source's, or the targets'
    // of the plan; a streamed run reports its own stop): nothing was written, 130 or 143.
    if (!(error instanceof ListingStoppedError)) throw error
    tracker.emit('done')
    return buildReport(options, [], true, {listingStopped: true})
  }
}

/** One run, start to report (migrate above turns a listing stopped by the signal into its report). */
async function runMigration(store: SecretStore, options: RunOptions, tracker: Tracker): Promise<MigrationReport> {
  const {progress, emit} = tracker
  const planning = await choosePlanning(store, options)
  if (planning?.plan.mode === 'streamed') {
    options.onPlanning?.(planning.plan)
    const streamed = await streamMigration(store, options, planning.listing, planning.live, tracker)
    const {notSelected, matchedOnly} = streamed.reading
    const missingOnly = await unmatchedOnly(store, options, matchedOnly)
    emit('done')
    // Nothing listed, or nothing selected: unless a signal stopped the listing, which the report says.
    if (streamed.items.length === 0 && streamed.listingEnded && options.source.nothingFound) {
      return {...buildReport(options, [], false, {notSelected}), hint: await options.source.nothingFound(store, options, notSelected, missingOnly.migrated)}
    }

    return finishedReport(options, streamed.items, streamed.interrupted, missingOnly.migrated, {notSelected, cost: streamed.cost, planning: planning.plan, listingStopped: !streamed.listingEnded})
  }

  const cache = new ValueCache(options.valueCacheBytes ?? DEFAULT_VALUE_CACHE_BYTES)
  const read = await readSource(options, cache, () => {
    progress.read += 1
    if (progress.read % 50 === 0) emit()
  })
  const {notSelected, warnings} = read
  for (const warning of warnings) options.onWarning?.(warning)
  const missingOnly = await unmatchedOnly(store, options, read.matchedOnly)
  if (read.sources.length === 0 && read.extraItems.length === 0 && options.source.nothingFound) {
    const hint = await options.source.nothingFound(store, options, notSelected, missingOnly.migrated)
    emit('done')
    return {...buildReport(options, [], false, {notSelected}), hint}
  }

  if (planning) options.onPlanning?.(planning.plan)
  const plan = await planMigration(store, options, read, cache)
  progress.planned = plan.working.length
  // A blocked plan (a collision, a target scheduled for deletion) writes nothing: it says 0 to write, not what it planned.
  progress.toWrite = plan.blockedBy === undefined ? plan.toWrite.length : 0
  const {sourcesToDelete} = plan
  const cost = planCost(plan, options)
  const writing = new Set(plan.toWrite.map(({report}) => report.source))
  const configuration = read.configuration.filter((name) => writing.has(name))
  options.onPlan?.(
    plan.working.map(({report}) => ({...report})),
    {sourcesToDelete, notSelected, cost, ...(planning ? {planning: planning.plan} : {}), ...(configuration.length > 0 ? {configuration} : {})},
  )
  emit('planned')

  let run: {interrupted: boolean; deletion: DeletionResult} = {interrupted: false, deletion: {}}
  if (plan.blockedBy !== undefined) markNotRun(plan.toWrite.map(({report}) => report), plan.blockedBy)
  else if (!options.dryRun) {
    await confirmWrites(options, plan.toWrite.length)
    run = await execute(store, options, plan, cache, tracker)
  }

  emit('done')
  const interrupted = run.interrupted || Boolean(run.deletion.interrupted)
  return finishedReport(options, plan.working.map(({report}) => report), interrupted, missingOnly.migrated, {...run.deletion, notSelected, sourcesToDelete, cost, warnings, ...(planning ? {planning: planning.plan} : {})})
}

/** The report of a run that planned items, with the note on --only names an earlier run migrated. */
function finishedReport(options: RunOptions, items: ItemReport[], interrupted: boolean, migratedEarlier: readonly string[], extras: ReportExtras): MigrationReport {
  const report = buildReport(options, items, interrupted, extras)
  // --only names an earlier run migrated (and took out of the source) are done: said, not silent.
  if (migratedEarlier.length > 0 && report.exitCode === 0 && report.hint === undefined) report.hint = migratedEarlierNote(options.source, migratedEarlier)
  return report
}

/**
 * How a run of a paged source (SSM) that writes in a pipeline plans: streamed when its options and
 * the secrets already where it writes allow it, else the whole listing first, with the reason.
 * Undefined for other sources (read at once), dry runs (the plan is all they show) and runs whose plan
 * a person reads first.
 */
async function choosePlanning(store: SecretStore, options: RunOptions): Promise<{plan: Planning; listing: PagedListing; live: ReadonlySet<string>} | undefined> {
  const listing = options.source.paged
  // At a terminal the plan is shown and asked about before the first write: nothing to choose.
  if (listing === undefined || options.dryRun || !options.streamPlan) return undefined
  const why = listing.wholeListingReason(options)
  if (why !== undefined) return {plan: {mode: 'whole', why}, listing, live: new Set()}
  const targets = await existingTargets(store, options, listing.targetPrefix)
  return {plan: targets.why === undefined ? {mode: 'streamed'} : {mode: 'whole', why: targets.why}, listing, live: targets.live}
}

/** The monthly cost of the secrets the plan creates, and the Secrets Manager calls left to make. */
function planCost(plan: Plan, options: RunOptions): CostEstimate {
  const newSecrets = plan.toWrite.filter(({report}) => report.plan === 'create').length
  return estimateCost({
    newSecrets,
    replicaRegions: options.pricing?.replicaRegions ?? 0,
    pricePerSecret: options.pricing?.pricePerSecret,
    apiCalls: estimateWriteCalls(plan.toWrite.length, plan.sourcesToDelete.length),
  })
}

/** The question before the first write, when the command asks one: "no" writes nothing. */
async function confirmWrites(options: RunOptions, writes: number): Promise<void> {
  if (writes === 0 || options.confirmWrites === undefined) return
  if (!(await options.confirmWrites(writes))) throw new InterruptedError('Cancelled; nothing was written.')
}

/** The run's counts, and `emit`, which reports a copy of them (after moving to `phase`, if given). */
function startTracker(options: RunOptions): Tracker {
  const progress: MigrationProgress = {phase: 'reading', read: 0, planned: 0, toWrite: 0, written: 0, verified: 0, failed: 0, deleted: 0}
  const emit = (phase?: MigrationProgress['phase']) => {
    if (phase) progress.phase = phase
    options.onProgress?.({...progress})
  }

  return {progress, emit}
}

/**
 * Writes the plan, reads it back, and unless interrupted, with --delete-source or --remove-from-source,
 * lets the source take out what verified (SSM deletes its parameters, Lambda removes its variables).
 */
async function execute(store: SecretStore, options: RunOptions, plan: Plan, cache: ValueCache, tracker: Tracker): Promise<{interrupted: boolean; deletion: DeletionResult}> {
  const interrupted = await writeAll(store, options, plan.toWrite, cache, tracker)
  await verify(store, plan.working, tracker)
  const {removal} = options.source
  if (!options.deleteSource || interrupted || removal === undefined) return {interrupted, deletion: {}}
  return {interrupted, deletion: await removal.remove({store, tracker, confirm: options.confirmDeletion, signal: options.signal}, plan.working)}
}
