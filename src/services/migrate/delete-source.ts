import {inBatches} from '../../core/batches.js'
import {ExitCode, SecretsError} from '../../core/errors.js'
import {digestOf} from '../../core/migration-plan.js'
import type {ParameterSource} from '../../stores/ssm-source.js'
import type {RemovalRun} from './sources/source.js'
import type {DeletionResult, Working} from './types.js'

/** SSM's batch size for GetParameters and DeleteParameters. */
const DELETE_BATCH = 10

/** What deleting the sources needs besides the items. */
export interface DeletionContext extends RemovalRun {
  parameters: ParameterSource
}

/**
 * Deletes SSM parameters whose target holds exactly their value: written and read back in this run,
 * or found `unchanged` by the plan's read. Never a failed, skipped or unverified item. Just before
 * each batch of 10 is deleted, the parameters and their secrets are read again: a parameter whose
 * value changed since it was read (its new value is in no secret), or whose secret no longer holds its
 * value (deleted, or overwritten, meanwhile), is kept and the item says why.
 */
export async function deleteVerifiedSources(context: DeletionContext, working: Working[]): Promise<DeletionResult> {
  const verified = working.filter(({report}) => report.verified === true || report.outcome === 'unchanged')
  if (verified.length === 0) return {}
  if (context.confirm && !(await context.confirm(verified.map(({item}) => item.source.name)))) {
    keep(verified, 'kept: you answered no to deleting the sources')
    return {declined: true}
  }

  context.tracker.emit('deleting')
  let changed = 0
  let interrupted = false
  try {
    for (const batch of inBatches(verified, DELETE_BATCH)) {
      if (context.signal?.aborted) {
        interrupted = true
        keep(batch, 'kept: interrupted before this source was deleted')
        continue
      }

      const {safe, kept} = await stillSafe(context, batch)
      changed += kept
      if (safe.length === 0) continue
      await deleteBatch(context, safe)
    }
  } catch (error) {
    return {
      changed,
      error: error instanceof SecretsError ? error : new SecretsError('Deleting the source parameters failed.', {code: 'UNEXPECTED', exitCode: ExitCode.unexpected, cause: error}),
    }
  }

  return {changed, interrupted}
}

/** Marks every source of `items` kept, saying why. */
function keep(items: readonly Working[], why: string): void {
  for (const {report} of items) {
    report.sourceKept = why
    report.sourceDeleted = false
  }
}

/**
 * Reads a batch's parameters and secrets again: the items whose parameter still holds the value that
 * was migrated and whose secret still holds it too. The others are kept (`kept` counts those that
 * changed) or, when the parameter is gone already, reported as such.
 */
async function stillSafe({store, parameters}: DeletionContext, batch: Working[]): Promise<{safe: Working[]; kept: number}> {
  const [current, targets] = await Promise.all([
    parameters.read(batch.map(({item}) => item.source.name)),
    store.getMany(batch.map(({item}) => item.target as string)),
  ])
  let kept = 0
  const safe = batch.filter(({item, report}) => {
    const now = current.get(item.source.name)
    const target = targets.values.get(item.target as string)
    if (now === undefined) {
      // Someone else deleted it meanwhile; its value is in the verified secret, so nothing is lost.
      report.sourceDeleted = false
      report.reason = 'the parameter was already gone when its deletion came (deleted by another writer)'
      return false
    }

    if (digestOf(now.value.bytes) !== item.source.digest) {
      report.sourceKept = 'kept: the parameter changed after it was read, and its new value is in no secret'
    } else if (target === undefined || digestOf(target.bytes) !== item.source.digest) {
      report.sourceKept = `kept: ${item.target} no longer holds the parameter's value (deleted or changed during the run)`
    } else return true
    report.sourceDeleted = false
    kept += 1
    return false
  })
  return {safe, kept}
}

/** Deletes one batch of parameters and records which were deleted. */
async function deleteBatch({parameters, tracker}: DeletionContext, safe: Working[]): Promise<void> {
  const deleted = new Set(await parameters.delete(safe.map(({item}) => item.source.name)))
  for (const {item, report} of safe) {
    report.sourceDeleted = deleted.has(item.source.name)
    if (report.sourceDeleted) tracker.progress.deleted += 1
  }

  tracker.emit()
}
