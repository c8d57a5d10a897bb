import pLimit from 'p-limit'

import {inBatches} from '../../core/batches.js'
import {ConflictError, ExitCode, SecretsError} from '../../core/errors.js'
import {digestOf} from '../../core/migration-plan.js'
import type {SecretValue} from '../../core/secret-value.js'
import type {SecretStore} from '../../stores/secret-store.js'
import {markFailed, writeFailureReason, writeOptions} from '../copy-pipeline.js'
import {sourceTags} from './tags.js'
import type {ItemReport, MigrationProgress, MigrationSource, RunInputs, Tracker, Working} from './types.js'
import type {ValueCache} from './value-cache.js'

/** Writes are scheduled in chunks so values read again from SSM are only held for one chunk. */
const WRITE_CHUNK = 200

/** One run of writes: what each write needs, and the creates that found their secret already there. */
export interface WriteRun {
  store: SecretStore
  options: RunInputs
  cache: ValueCache
  tracker: Tracker
  recheck: Working[]
}

/**
 * Writes the planned items, chunk by chunk, at most `options.concurrency` at a time, each with its
 * idempotency token. Aborting stops new writes; those in flight finish. Returns true when interrupted
 * (the items not written are then `not-run`).
 */
export async function writeAll(store: SecretStore, options: RunInputs, toWrite: Working[], cache: ValueCache, tracker: Tracker): Promise<boolean> {
  if (toWrite.length === 0) return false
  tracker.emit('writing')
  const limit = pLimit(Math.max(1, options.concurrency))
  const run = startWrites(store, options, cache, tracker)
  for (const chunk of inBatches(toWrite, WRITE_CHUNK)) {
    if (options.signal?.aborted) break
    const values = await valuesFor(options.source, chunk, cache)
    await Promise.all(chunk.map((entry) => limit(() => writeOne(run, entry, values))))
  }

  return finishWrites(run, toWrite)
}

/** A run of writes about to begin. */
export function startWrites(store: SecretStore, options: RunInputs, cache: ValueCache, tracker: Tracker): WriteRun {
  return {store, options, cache, tracker, recheck: []}
}

/**
 * Once the last write of `toWrite` returned: settles the creates that found their secret there, and
 * when the run was interrupted marks what it did not write `not-run`. Returns true when interrupted.
 */
export async function finishWrites(run: WriteRun, toWrite: readonly Working[]): Promise<boolean> {
  const {store, options, tracker} = run
  await settleRechecks(store, options, run.recheck, tracker.progress)
  const interrupted = Boolean(options.signal?.aborted)
  if (interrupted) {
    for (const entry of toWrite) {
      if (entry.report.outcome === 'planned') {
        entry.report.outcome = 'not-run'
        entry.report.reason = 'interrupted before this item was written'
      }
    }
  }

  return interrupted
}

/** Writes one planned item with its value from `values` (which it then forgets), recording the outcome in its report. */
export async function writeOne(run: WriteRun, entry: Working, values: Map<string, SecretValue>): Promise<void> {
  const {options, tracker} = run
  if (options.signal?.aborted) return
  const value = values.get(entry.item.source.name)
  if (value === undefined) {
    fail(entry.report, tracker.progress, 'the source changed or disappeared after it was read; run the command again')
    return
  }

  const target = entry.item.target as string
  const creating = entry.item.state === 'create'
  try {
    const result = await run.store.write(
      target,
      value,
      writeOptions(target, creating, options.onConflict, entry.previous?.versionId, {
        tags: sourceTags(options.source, entry.item.source),
        kmsKeyId: options.kmsKeyId,
        description: options.description,
      }),
    )
    entry.report.outcome = result.outcome
    if (result.versionId) entry.report.versionId = result.versionId
    tracker.progress.written += 1
  } catch (error) {
    const failure = error instanceof SecretsError ? error : undefined
    if (creating && failure?.exitCode === ExitCode.conflict) {
      // The plan thought it absent (a listing that lagged, or another writer): look again below.
      entry.report.reason = failure.message
      run.recheck.push(entry)
    } else {
      fail(entry.report, tracker.progress, writeFailureReason(error), error)
    }
  } finally {
    run.cache.drop(entry.item.source.name)
    values.delete(entry.item.source.name)
    tracker.emit()
  }
}

/**
 * Creates that found the secret already there: identical value means the item is `unchanged` (e.g. a
 * killed run had written it and the listing had not caught up); otherwise it is a conflict.
 */
async function settleRechecks(store: SecretStore, options: RunInputs, recheck: Working[], progress: MigrationProgress): Promise<void> {
  if (recheck.length === 0) return
  const {values} = await store.getMany(recheck.map(({item}) => item.target as string))
  for (const entry of recheck) {
    const value = values.get(entry.item.target as string)
    if (value !== undefined && digestOf(value.bytes) === entry.item.source.digest) {
      entry.report.outcome = 'unchanged'
      delete entry.report.reason
    } else if (value !== undefined && options.onConflict === 'skip') {
      entry.report.outcome = 'skipped'
      entry.report.reason = 'the secret appeared with a different value after the plan; skipped (--on-conflict skip)'
    } else {
      fail(entry.report, progress, entry.report.reason ?? 'the secret already exists', new ConflictError(entry.report.reason ?? 'exists'))
    }
  }
}

/** Fails an item (see `markFailed`) and counts it in the progress. */
export function fail(report: ItemReport, progress: MigrationProgress, reason: string, error?: unknown): void {
  markFailed(report, reason, error)
  progress.failed += 1
}

/** Values for one chunk of writes: from memory, or read again from the source and checked against the plan. */
async function valuesFor(source: MigrationSource, chunk: Working[], cache: ValueCache): Promise<Map<string, SecretValue>> {
  const values = new Map<string, SecretValue>()
  const missing: Working[] = []
  for (const entry of chunk) {
    const value = cache.get(entry.item.source.name)
    if (value) values.set(entry.item.source.name, value)
    else missing.push(entry)
  }

  if (missing.length > 0 && source.reread) {
    const reread = await source.reread(missing.map((entry) => entry.item.source.name))
    for (const entry of missing) {
      const value = reread.get(entry.item.source.name)
      // Written only if it is still the value that was planned; otherwise the item fails and a re-run re-plans it.
      if (value && digestOf(value.bytes) === entry.item.source.digest) values.set(entry.item.source.name, value)
    }
  }

  return values
}
