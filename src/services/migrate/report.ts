import type {CostEstimate} from '../../core/cost.js'
import {ExitCode, type ExitCodeValue} from '../../core/errors.js'
import type {SourceWords} from '../../core/migration-plan.js'
import {nothingWritten, noun, plural} from '../../core/words.js'
import {firstFailureCode, SKIPPED_HINT, summaryLine} from '../copy-pipeline.js'
import type {DeletionResult, ItemReport, MigrationReport, Planning, RunInputs} from './types.js'

/** What the report adds to the items: the deletion step's result and the plan's counts. */
export interface ReportExtras extends DeletionResult {
  notSelected?: number
  sourcesToDelete?: string[]
  cost?: CostEstimate
  planning?: Planning
  /** A run stopped (Ctrl-C, SIGTERM) before a listing's last page: what came after it was never planned. */
  listingStopped?: boolean
  /** What reading the source warned of (names and lines only). */
  warnings?: readonly string[]
}

type Totals = MigrationReport['totals']

/**
 * The report of a run from its items' report lines: totals, exit code, summary line and the next step.
 * It reads the lines alone (a line names its plan and target), so a long run need keep nothing else.
 */
export function buildReport(options: RunInputs, items: ItemReport[], interrupted: boolean, extras: ReportExtras = {}): MigrationReport {
  const totals = countTotals(items, extras.notSelected ?? 0)
  const decided = decideOutcome(options, items, totals, interrupted, extras)
  const {exitCode} = decided
  const hint = options.dryRun && exitCode === ExitCode.ok ? dryRunNote(totals.planned, decided.hint) : decided.hint
  const {source} = options
  const sourcesToDelete = extras.sourcesToDelete ?? []
  const recipes = source.recipes?.(options, items) ?? []
  return {
    source: {kind: source.kind, name: source.name},
    ...(options.to ? {to: options.to.toString()} : {}),
    dryRun: options.dryRun,
    onConflict: options.onConflict,
    deleteSource: options.deleteSource,
    interrupted,
    items,
    sourcesToDelete,
    totals,
    exitCode,
    summary: summarize(totals, options.dryRun, interrupted, sourcesToDelete.length, source.words, extras.listingStopped),
    ...(hint ? {hint} : {}),
    ...(recipes.length > 0 ? {recipes, ...(source.manyWorkloads ? {} : {recipe: recipes[0]})} : {}),
    ...(extras.cost ? {cost: extras.cost} : {}),
    ...(extras.planning ? {planning: extras.planning} : {}),
    ...(extras.warnings && extras.warnings.length > 0 ? {warnings: [...extras.warnings]} : {}),
  }
}

function countTotals(items: readonly ItemReport[], notSelected: number): Totals {
  const totals: Totals = {
    items: items.length,
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
  for (const report of items) {
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
  options: RunInputs,
  items: readonly ItemReport[],
  totals: Totals,
  interrupted: boolean,
  extras: ReportExtras,
): {exitCode: ExitCodeValue; hint?: string} {
  const firstFailure = firstFailureCode(items)
  const conflicts = items.filter((report) => report.outcome === 'conflict')
  const scheduled = conflicts.filter((report) => report.plan === 'conflict')
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
      hint: options.source.removal?.failedHint(deleteError) ?? `Every item migrated, but deleting the sources failed (${deleteError.message}); run the same command again to retry the deletion.`,
    }
  }

  const {dryRun} = options
  if (scheduled.length > 0) return {exitCode: ExitCode.conflict, hint: scheduledHint(scheduled.map((report) => report.target as string), dryRun)}
  if (totals.conflict > 0) return {exitCode: ExitCode.conflict, hint: conflictHint(conflicts.map((report) => report.target as string), dryRun)}
  if (changed > 0) return {exitCode: ExitCode.conflict, hint: changedHint(changed)}
  if (totals.collision > 0 || totals.unmapped > 0 || totals.invalid > 0) return {exitCode: ExitCode.usage, hint: unusableHint(options, items, totals)}
  return {exitCode: ExitCode.ok, hint: successNote(options, totals, extras)}
}

/** The note of a run that exits 0, if it needs one. */
function successNote(options: RunInputs, totals: Totals, extras: ReportExtras): string | undefined {
  if (extras.declined) return 'Every source was kept, as you answered no. Run the same command again to delete them: migrated items plan as unchanged.'
  // --on-conflict skip did what was asked: exit 0, and the report names what was left alone.
  if (totals.skipped > 0) return SKIPPED_HINT
  return options.source.finishedNote?.(options)
}

function scheduledHint(names: readonly string[], dryRun: boolean): string {
  const count = names.length
  return `${nothingWritten(dryRun)}: ${names.join(', ')} ${noun(count, 'is', 'are')} scheduled for deletion. If ${noun(count, 'it was', 'they were')} deleted by mistake, run ${names
    .map((name) => `"secrets restore ${name}"`)
    .join(', ')} and then this command again; otherwise migrate ${noun(count, 'that source', 'those sources')} to another name.`
}

/**
 * The next step for targets holding another value. Values often differ between a source and its
 * target on purpose, so the safe options come first; overwrite last, saying what it replaces.
 */
function conflictHint(targets: string[], dryRun: boolean): string {
  const shown = targets.length <= 3 ? targets.join(', ') : `${targets.slice(0, 3).join(', ')} and ${targets.length - 3} more`
  return (
    `${nothingWritten(dryRun)}: ${shown} already ${noun(targets.length, 'holds', 'hold')} another value. ` +
    'To move only some items, name them with --only NAME; to migrate the rest and leave these secrets as they are, use --on-conflict skip. ' +
    `Only if the source's value should win: --on-conflict overwrite replaces the current value of ${shown} (the old one stays as AWSPREVIOUS).`
  )
}

function changedHint(changed: number): string {
  return `${changed} ${noun(changed, 'source')} changed (or ${noun(changed, 'its', 'their')} secret did) while this ran and ${noun(changed, 'was', 'were')} kept, not deleted: run the same command again. A source whose secret now holds its older value plans as an update: check it with "secrets get", then move the new value with --only NAME --on-conflict overwrite.`
}

/** A dry run that would run: what it would write, then the note a real run would end with, if any. */
function dryRunNote(planned: number, note: string | undefined): string {
  const would = planned === 0 ? 'nothing would be written' : `${plural(planned, 'secret')} would be written`
  return `Dry run: ${would}. ${planned === 0 ? '' : 'Run again without --dry-run to migrate. '}${note ?? ''}`.trim()
}

/**
 * Collisions, unmapped names or invalid items: the plan cannot take them as they are. The fix named
 * is the one for the reason the items have (an empty value is not fixed by renaming its key), and
 * what happened to the other items is said as it is: a collision blocks the whole plan, invalid and
 * unmapped items do not, and a dry run wrote nothing at all.
 */
function unusableHint(options: RunInputs, items: readonly ItemReport[], totals: Totals): string {
  const {dryRun, source} = options
  if (totals.collision > 0) {
    const fix = source.collisionFix(options)
    return `${nothingWritten(dryRun)}: two sources map to one secret. ${fix}.`
  }

  const fixes = new Set<string>()
  for (const report of items) if (report.outcome === 'unmapped' || report.outcome === 'invalid') fixes.add(fixFor(report.outcome, report.reason ?? ''))
  const written = totals.created + totals.updated
  const others = dryRun
    ? totals.planned > 0
      ? `without --dry-run, the other ${plural(totals.planned, 'item')} would be migrated`
      : 'nothing would be written'
    : written > 0
      ? `the other ${plural(written, 'item')} ${noun(written, 'was', 'were')} migrated`
      : 'nothing was written'
  return `${[...fixes].join('; ')}; then run the same command again (${others}).`
}

/** The fix for one unmapped or invalid item, from the reason the plan gave it. */
function fixFor(outcome: 'invalid' | 'unmapped', reason: string): string {
  if (outcome === 'unmapped') return 'Pass --to ENV/SERVICE to map parameters by their last segment, --flatten to join their deeper segments into the name, or migrate a narrower path'
  if (reason.startsWith('the value is empty')) return 'Give the empty values a value in the source, or leave them out with --only'
  if (/^the value is \d+ bytes/.test(reason)) return 'Shorten the values over the size limit, or leave them out with --only'
  if (reason.includes('multi-line')) return 'Quote multi-line values in double quotes'
  if (reason.startsWith('the value is cut at "#"')) return "Quote the values that hold a # (KEY='...')"
  if (reason.startsWith('not a valid secret name')) return 'Rename the keys that are not valid secret names'
  return 'Fix the lines shown as invalid'
}

/** "2 sources deleted" for SSM; for a function, whose variables are removed, "2 variables removed". */
function sourcesLabel(words: SourceWords, count: number, what: keyof SourceWords): string {
  return `${noun(count, words.noun)} ${words[what]}`
}

function summarize(totals: Totals, dryRun: boolean, interrupted: boolean, toDelete: number, words: SourceWords, listingStopped?: boolean): string {
  const head = dryRun ? 'Dry run' : interrupted ? (listingStopped ? 'Interrupted before the listing ended' : 'Interrupted') : 'Migration'
  return summaryLine(head, totals.items, 'item', [
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
    [dryRun ? 'would not run' : 'not run', totals['not-run']],
    ['left in place (not secrets)', totals.left],
    [dryRun ? sourcesLabel(words, toDelete, 'toDelete') : sourcesLabel(words, totals.sourcesDeleted, 'deleted'), dryRun ? toDelete : totals.sourcesDeleted],
    [sourcesLabel(words, totals.sourcesKept, 'kept'), totals.sourcesKept],
    ['not selected', totals.notSelected],
  ])
}
