import {ConflictError, ExitCode, SecretsError} from '../../core/errors.js'
import {digestOf} from '../../core/migration-plan.js'
import {SecretValue} from '../../core/secret-value.js'
import type {EnvironmentSource, FunctionEnvironmentEditor} from '../../stores/environment-source.js'
import type {SecretStore} from '../../stores/secret-store.js'
import type {RemovalRun} from './sources/source.js'
import type {DeletionResult, Tracker, Working} from './types.js'

/** What removing migrated variables from Lambda functions needs besides the items. */
export interface RemovalContext {
  store: SecretStore
  source: EnvironmentSource
  editor: FunctionEnvironmentEditor
  tracker: Tracker
  confirm: RemovalRun['confirm']
}

/** An item's function and variable: `FUNCTION/VARIABLE` across every function, the variable alone for one. */
export function functionVariable(source: EnvironmentSource, itemName: string): {fn: string; variable: string} {
  if (!source.many) return {fn: source.name, variable: itemName}
  const slash = itemName.indexOf('/')
  return {fn: itemName.slice(0, slash), variable: itemName.slice(slash + 1)}
}

/**
 * --remove-from-source for Lambda: once every item the run took is in Secrets Manager (written and
 * read back, or found unchanged), and after the question at a terminal, each function's variables
 * are read again (with their RevisionId), the migrated ones taken out and the rest written back with
 * UpdateFunctionConfiguration under that RevisionId. A function is left exactly as it was when a
 * migrated variable changed since it was read, its secret no longer holds its value, AWS gives no
 * revision to guard the write, or the function changed between that read and the write (exit 4).
 */
export async function removeMigratedVariables(context: RemovalContext, working: Working[]): Promise<DeletionResult> {
  const taken = working.filter(({report}) => report.plan !== 'left')
  const verified = taken.filter(({report}) => report.verified === true || report.outcome === 'unchanged')
  if (verified.length === 0) return {}
  if (verified.length < taken.length) {
    // A variable whose secret is not verified is still only in the function: nothing is removed.
    keep(taken, 'kept: not every item of the run verified, so no function was changed')
    return {}
  }

  if (context.confirm && !(await context.confirm(verified.map(({item}) => item.source.name)))) {
    keep(verified, 'kept: you answered no to removing the variables')
    return {declined: true}
  }

  context.tracker.emit('deleting')
  const byFunction = new Map<string, Working[]>()
  for (const entry of verified) {
    const {fn} = functionVariable(context.source, entry.item.source.name)
    byFunction.set(fn, [...(byFunction.get(fn) ?? []), entry])
  }

  const result: DeletionResult = {changed: 0}
  for (const [fn, items] of byFunction) {
    try {
      result.changed = (result.changed ?? 0) + (await removeFromFunction(context, fn, items))
    } catch (error) {
      keep(items, `kept: ${fn} was not changed (${error instanceof SecretsError ? error.message : 'the update failed'})`)
      result.error ??=
        error instanceof SecretsError ? error : new SecretsError(`Removing the variables from ${fn} failed.`, {code: 'UNEXPECTED', exitCode: ExitCode.unexpected, cause: error})
    }
  }

  return result
}

/** One function: re-read, check, write back without the migrated variables. Returns how many were kept because they changed. */
async function removeFromFunction(context: RemovalContext, fn: string, items: Working[]): Promise<number> {
  const [now, targets] = await Promise.all([context.editor.current(fn), context.store.getMany(items.map(({item}) => item.target as string))])
  if (now.revisionId === undefined) {
    throw new ConflictError(
      `${fn}: AWS gave no RevisionId for the function, so a change made meanwhile could not be detected; nothing was removed.`,
      // Running the same command again would stop the same way: the way on is the function's own template.
      `Remove the variables from ${fn}'s template and deploy it (the recipe lists them); every secret is already migrated and verified.`,
    )
  }

  const remaining = {...now.variables}
  const removing: Working[] = []
  let changed = 0
  for (const entry of items) {
    const {variable} = functionVariable(context.source, entry.item.source.name)
    const value = now.variables[variable]
    const target = targets.values.get(entry.item.target as string)
    if (value === undefined) {
      entry.report.sourceDeleted = false
      entry.report.reason = 'the variable was already gone from the function when its removal came'
      continue
    }

    if (digestOf(SecretValue.fromString(value).bytes) !== entry.item.source.digest) {
      entry.report.sourceKept = 'kept: the variable changed after it was read, and its new value is in no secret'
      changed += 1
    } else if (target === undefined || digestOf(target.bytes) !== entry.item.source.digest) {
      entry.report.sourceKept = `kept: ${entry.item.target} no longer holds the variable's value (deleted or changed during the run)`
      changed += 1
    } else {
      removing.push(entry)
      delete remaining[variable]
    }
  }

  if (changed > 0) {
    // One variable that cannot go keeps the function as it is: a partial removal would be a second change to review.
    keep(removing, `kept: another variable of ${fn} changed during the run, so the function was not changed`)
    return changed
  }

  if (removing.length === 0) return 0
  await context.editor.replace(fn, remaining, now.revisionId)
  for (const {report} of removing) report.sourceDeleted = true
  context.tracker.progress.deleted += removing.length
  context.tracker.emit()
  return 0
}

/** Marks every item's variable kept, saying why. */
function keep(items: readonly Working[], why: string): void {
  for (const {report} of items) {
    report.sourceKept = why
    report.sourceDeleted = false
  }
}
