import type {CostEstimate} from '../../core/cost.js'
import {ExitCode, type ExitCodeValue} from '../../core/errors.js'
import {noun} from '../../core/words.js'
import {firstFailureCode, SKIPPED_HINT, summaryLine} from '../copy-pipeline.js'
import {recipesOf} from './recipe.js'
import {type DeletionResult, type MigrateOptions, type MigrationReport, sourceName, type Working} from './types.js'

/** What the report adds to the items: the deletion step's result and the plan's counts. */
export interface ReportExtras extends DeletionResult {
  notSelected?: number
  sourcesToDelete?: string[]
  cost?: CostEstimate
}

type Totals = MigrationReport['totals']

/** The report of a run: its items, totals, exit code, summary line and the next step. */
export function buildReport(options: MigrateOptions, working: Working[], interrupted: boolean, extras: ReportExtras = {}): MigrationReport {
  const totals = countTotals(working, extras.notSelected ?? 0)
  const decided = decideOutcome(options, working, totals, interrupted, extras)
  const {exitCode} = decided
  const hint = options.dryRun && exitCode === ExitCode.ok ? 'Dry run: nothing was written. Run again without --dry-run to migrate.' : decided.hint
  const {source} = options
  const sourcesToDelete = extras.sourcesToDelete ?? []
  const recipes = recipesOf(options, working)
  const many = options.source.kind === 'lambda' && options.source.environment.many
  return {
    source: {kind: source.kind, name: sourceName(source)},
    ...(options.to ? {to: options.to.toString()} : {}),
    dryRun: options.dryRun,
    onConflict: options.onConflict,
    deleteSource: options.deleteSource,
    interrupted,
    items: working.map(({report}) => report),
    sourcesToDelete,
    totals,
    exitCode,
    summary: summarize(totals, options.dryRun, interrupted, sourcesToDelete.length),
    ...(hint ? {hint} : {}),
    ...(recipes.length > 0 ? {recipes, ...(many ? {} : {recipe: recipes[0]})} : {}),
    ...(extras.cost ? {cost: extras.cost} : {}),
  }
}

function countTotals(working: readonly Working[], notSelected: number): Totals {
  const totals: Totals = {
    items: working.length,
    created: 0,
    updated: 0,
    unchanged: 0,
    planned: 0,
    skipped: 0,
    conflict: 0,
    collision: 0,
    unmapped: 0,
    invalid: 0,
    failed: 0,
    'not-run': 0,
    left: 0,
    sourcesDeleted: 0,
    sourcesKept: 0,
    notSelected,
  }
  for (const {report} of working) {
    totals[report.outcome] += 1
    if (report.sourceDeleted) totals.sourcesDeleted += 1
    if (report.sourceKept !== undefined) totals.sourcesKept += 1
  }

  return totals
}

/**
 * The exit code and the next step, the first that applies: interrupted, failed items, a failed
 * deletion, targets scheduled for deletion, conflicts, sources that changed while deleting, items the
 * plan cannot take; then the notes of a run that exits 0.
 */
function decideOutcome(
  options: MigrateOptions,
  working: readonly Working[],
  totals: Totals,
  interrupted: boolean,
  extras: ReportExtras,
): {exitCode: ExitCodeValue; hint?: string} {
  const firstFailure = firstFailureCode(working.map(({report}) => report))
  const conflicts = working.filter(({report}) => report.outcome === 'conflict')
  const scheduled = conflicts.filter(({item}) => item.state === 'conflict')
  const deleteError = extras.error
  const changed = extras.changed ?? 0
  if (interrupted) {
    // The abort's reason names the signal that stopped the run (the command passes it): 143 for SIGTERM.
    return {
      exitCode: options.signal?.reason === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted,
      hint: 'Run the same command again to finish: items already written will show as unchanged and nothing is written twice.',
    }
  }

  if (firstFailure !== undefined || totals.failed > 0) {
    return {
      exitCode: firstFailure ?? ExitCode.unexpected,
      hint: 'Fix the cause shown for the failed items and run the same command again; finished items show as unchanged.',
    }
  }

  if (deleteError) {
    return {
      exitCode: deleteError.exitCode,
      hint:
        options.source.kind === 'lambda'
          ? `Every item migrated and verified, but removing the variables from the function failed: ${deleteError.message} Run the same command again: it reads the function again and removes what is still there.`
          : `Every item migrated, but deleting the sources failed (${deleteError.message}); run the same command again to retry the deletion.`,
    }
  }

  if (scheduled.length > 0) return {exitCode: ExitCode.conflict, hint: scheduledHint(scheduled.map(({item}) => item.target as string))}
  if (totals.conflict > 0) return {exitCode: ExitCode.conflict, hint: conflictHint(conflicts.map(({item}) => item.target as string))}
  if (changed > 0) return {exitCode: ExitCode.conflict, hint: changedHint(changed)}
  if (totals.collision > 0 || totals.unmapped > 0 || totals.invalid > 0) return {exitCode: ExitCode.usage, hint: unusableHint(totals)}
  return {exitCode: ExitCode.ok, hint: successNote(options, totals, extras)}
}

/** The note of a run that exits 0, if it needs one. */
function successNote(options: MigrateOptions, totals: Totals, extras: ReportExtras): string | undefined {
  if (extras.declined) return 'Every source was kept, as you answered no. Run the same command again to delete them: migrated items plan as unchanged.'
  // --on-conflict skip did what was asked: exit 0, and the report names what was left alone.
  if (totals.skipped > 0) return SKIPPED_HINT
  const {source} = options
  if (source.kind === 'dotenv' && !options.dryRun) return `${source.file} was not modified. Delete it once your application reads these secrets from Secrets Manager.`
  return undefined
}

function scheduledHint(names: readonly string[]): string {
  const count = names.length
  return `Nothing was written: ${names.join(', ')} ${noun(count, 'is', 'are')} scheduled for deletion. If ${noun(count, 'it was', 'they were')} deleted by mistake, run ${names
    .map((name) => `"secrets restore ${name}"`)
    .join(', ')} and then this command again; otherwise migrate ${noun(count, 'that source', 'those sources')} to another name.`
}

/**
 * The next step for targets holding another value. Values often differ between a source and its
 * target on purpose, so the safe options come first; overwrite last, saying what it replaces.
 */
function conflictHint(targets: string[]): string {
  const shown = targets.length <= 3 ? targets.join(', ') : `${targets.slice(0, 3).join(', ')} and ${targets.length - 3} more`
  return (
    `Nothing was written: ${shown} already ${noun(targets.length, 'holds', 'hold')} another value. ` +
    'To move only some items, name them with --only NAME; to migrate the rest and leave these secrets as they are, use --on-conflict skip. ' +
    `Only if the source's value should win: --on-conflict overwrite replaces the current value of ${shown} (the old one stays as AWSPREVIOUS).`
  )
}

function changedHint(changed: number): string {
  return `${changed} ${noun(changed, 'source')} changed (or ${noun(changed, 'its', 'their')} secret did) while this ran and ${noun(changed, 'was', 'were')} kept, not deleted: run the same command again. A source whose secret now holds its older value plans as an update: check it with "secrets get", then move the new value with --only NAME --on-conflict overwrite.`
}

/** Collisions, unmapped names or invalid lines: the plan cannot take them as they are. */
function unusableHint(totals: Totals): string {
  if (totals.collision > 0) return 'Nothing was written. Give the colliding sources distinct last segments, or migrate each path separately with its own --to.'
  if (totals.unmapped > 0) return 'Pass --to ENV/SERVICE to map parameters by their last path segment, or migrate a narrower path.'
  return 'Fix the invalid items (rename keys, quote multi-line values) and run the same command again; the valid items were migrated.'
}

const sourcesLabel = (count: number, what: string) => `${noun(count, 'source')} ${what}`

function summarize(totals: Totals, dryRun: boolean, interrupted: boolean, toDelete: number): string {
  return summaryLine(dryRun ? 'Dry run' : interrupted ? 'Interrupted' : 'Migration', totals.items, 'item', [
    ['created', totals.created],
    ['updated', totals.updated],
    ['unchanged', totals.unchanged],
    [dryRun ? 'to write' : 'planned', totals.planned],
    ['skipped', totals.skipped],
    ['conflict', totals.conflict],
    ['collision', totals.collision],
    ['unmapped', totals.unmapped],
    ['invalid', totals.invalid],
    ['failed', totals.failed],
    ['not run', totals['not-run']],
    ['left in place (not secrets)', totals.left],
    [dryRun ? sourcesLabel(toDelete, 'to delete') : sourcesLabel(totals.sourcesDeleted, 'deleted'), dryRun ? toDelete : totals.sourcesDeleted],
    [sourcesLabel(totals.sourcesKept, 'kept'), totals.sourcesKept],
    ['not selected', totals.notSelected],
  ])
}
