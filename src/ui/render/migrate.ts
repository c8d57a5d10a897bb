/** What `secrets migrate` shows: the plan, the progress (stderr), the result table and the summary. */
import type {CommandResult} from '../../core/outcome.js'
import {costLine} from '../../core/cost.js'
import type {ItemReport, MigrationProgress, MigrationRecipe, MigrationReport, MigrationSource, PlanSummary, VerifiedRemoval} from '../../services/migrate.js'
import {startProgress} from '../spinner.js'
import {renderTable} from '../table.js'
import {canAnimate} from '../terminal.js'
import {screenRows, wrapToWidth} from '../wrap.js'
import {hiddenStates, outcomeAsPlanned, planStateCounts, rowsNotShownLine} from './compact-plan.js'

/** The result table (when an outcome differs from its plan), the summary, and the report's hint; its exit code. */
export function migrationResult(report: MigrationReport, view: Pick<PlanView, 'compact' | 'columns' | 'rerun'> & {quiet?: boolean; json?: boolean} = {compact: false}): CommandResult<MigrationReport> {
  // --json: the report is the output, and no text is made to be dropped (the result table of a
  // 10,000-item run is some 50,000 cells, which were the largest thing such a run ever held).
  if (view.json) return {json: report, exitCode: report.exitCode}
  // --quiet: the summary line alone (the exit code and --json say the rest).
  if (view.quiet) return {json: report, stdout: `${report.summary}\n`, exitCode: report.exitCode}
  const text: string[] = []
  // At a terminal, the items an interruption left unwritten are counted, not listed: a run stopped
  // early would otherwise print one row per item it never reached.
  const unwritten = view.compact && report.interrupted ? report.items.filter((item) => item.outcome === 'not-run') : []
  const rows = view.compact ? report.items.filter((item) => !asPlanned(item) && !unwritten.includes(item)) : report.items
  if (!report.dryRun && rows.length > 0 && report.items.some((item) => item.outcome !== item.plan || item.sourceKept !== undefined)) {
    text.push(
      'Result:',
      renderTable(
        ['SOURCE', 'TARGET', 'OUTCOME', ...(report.deleteSource ? ['SOURCE DELETED'] : []), 'NOTE'],
        rows.map((item) => [
          sourceLabel(item),
          item.target ?? '-',
          item.outcome,
          ...(report.deleteSource ? [item.sourceDeleted ? 'yes' : 'no'] : []),
          item.sourceKept ?? (item.outcome === item.plan || item.outcome === 'created' || item.outcome === 'updated' ? '' : (item.reason ?? '')),
        ]),
      ),
      '',
    )
  }

  if (unwritten.length > 0) text.push(wrapToWidth(`${unwritten.length} ${unwritten.length === 1 ? 'item was' : 'items were'} not written (interrupted): --verbose lists them, --json every item.`, view.columns))
  text.push(report.summary)
  for (const recipe of report.recipes ?? []) text.push('', ...renderRecipe(recipe))
  const hint = unwritten.length > 0 && view.rerun ? finishHint(view.rerun, view.columns) : report.hint
  return {json: report, stdout: `${text.join('\n')}\n`, exitCode: report.exitCode, ...(hint ? {hint} : {})}
}

/**
 * The command that finishes an interrupted run: the same one. Items already written hold the source's
 * value, so they plan as unchanged; no --on-conflict is needed (skip would also pass over a secret
 * that holds another value).
 */
function finishHint(rerun: string, columns: number | undefined): string {
  // The base command prints "Hint: " before it; the command goes on a line of its own, to be copied.
  const why = 'Run the same command again to finish; items already written plan as unchanged and are not written twice:'
  return `${wrapToWidth(why, columns === undefined ? undefined : columns - 'Hint: '.length)}\n  ${rerun}`
}

/** The outcome is the plan carried out, and no source was kept. */
function asPlanned(item: ItemReport): boolean {
  return item.sourceKept === undefined && outcomeAsPlanned(item)
}

/** valueFrom, named for what it is: a step that still leaves each value in the container's environment. */
const ECS_LESSER_STEP =
  "Moving them to the container's secrets (valueFrom: the secret's ARN) instead is the lesser step: ECS then sets each value as an environment variable of the container, visible to anything that can read the process environment."

/** What is left to do on the workload, which this command changes only with --remove-from-source. */
function renderRecipe(recipe: MigrationRecipe): string[] {
  const what = recipe.kind === 'lambda' ? `function ${recipe.workload}` : `task definition ${recipe.workload}`
  const removed = recipe.removedVariables ?? []
  const steps = ['  1. Let it read the migrated secrets:', `     ${recipe.grant}`]
  if (recipe.kind === 'ecs') {
    steps.push(
      `  2. In its template, remove these entries from the containers' environment, and let the application read them at run time with the module the grant prints (python: --runtime python): ${recipe.removeVariables.join(', ')}`,
      `     ${ECS_LESSER_STEP}`,
    )
  }
  else {
    if (recipe.removeVariables.length > 0) {
      steps.push(`  2. Once its code reads them from Secrets Manager, remove these variables from the function's environment in its template: ${recipe.removeVariables.join(', ')}`)
    }

    if (removed.length > 0) steps.push(`  ${steps.length}. Removed from the live function (--remove-from-source): ${removed.join(', ')}; take them out of its template too, if it has one.`)
  }

  const header = removed.length > 0 ? `Left to do (${what}: only the variables above were removed, every other setting kept):` : `Left to do (${what} was not changed):`
  return [header, ...steps]
}

/**
 * How much of the plan and the result a run shows: `compact` at a terminal (a summary, the rows that
 * need attention, the cost), every row with --verbose and in a pipeline, whose output stays as it was.
 */
export interface PlanView {
  compact: boolean
  /** The cost line: at a terminal, --verbose or not (a pipeline gets the figures in --json). */
  showCost: boolean
  /** The terminal's size: a compact plan lists every row when they fit in `rows`; prose breaks at `columns`. */
  rows?: number
  columns?: number
  /** The command as typed (quoted for a shell), which an interrupted run names as the way to finish. */
  rerun?: string
}

/** Plan states a person must look at before saying yes: the rest (create, unchanged, left) is counted. */
const ATTENTION: ReadonlySet<string> = new Set(['update', 'conflict', 'collision', 'unmapped', 'invalid'])
const STATE_ORDER = ['create', 'update', 'unchanged', 'conflict', 'collision', 'unmapped', 'invalid', 'left'] as const

/** Lines printed after the plan before a person answers: the question, and the spinner's line. */
const LINES_AFTER_PLAN = 2

/**
 * The plan, printed before anything is written (and before the questions about writing and deleting).
 * At a terminal, every row when the whole plan fits on the screen (the names about to be written are
 * then in view); otherwise only the rows that need attention, and how many others there are.
 */
export function renderMigrationPlan(items: readonly ItemReport[], dryRun: boolean, plan: PlanSummary & {source: MigrationSource}, view: PlanView = {compact: false, showCost: false}): string {
  if (!view.compact) return planText(items, dryRun, plan, view, items)
  const everyRow = planText(items, dryRun, plan, view, items)
  if (view.rows !== undefined && screenRows(everyRow, view.columns) + LINES_AFTER_PLAN <= view.rows) return everyRow
  return planText(items, dryRun, plan, view, items.filter((item) => ATTENTION.has(item.plan)))
}

function planText(items: readonly ItemReport[], dryRun: boolean, plan: PlanSummary & {source: MigrationSource}, view: PlanView, shown: readonly ItemReport[]): string {
  const title = dryRun ? 'Plan (dry run, nothing will be written)' : 'Plan'
  const prose = (line: string) => wrapToWidth(line, view.columns)
  const text = view.compact ? [prose(`${title}: ${planCounts(items)}.`)] : [`${title}:`]
  if (shown.length > 0) text.push(renderTable(['SOURCE', 'TYPE', 'TARGET', 'PLAN', 'NOTE'], shown.map((item) => planRow(item))))
  if (view.compact && shown.length < items.length) {
    const hidden = items.length - shown.length
    text.push(prose(rowsNotShownLine(hidden, hiddenStates(items, STATE_ORDER, ATTENTION))))
  }

  if (plan.configuration && plan.configuration.length > 0) text.push(prose(`\n${configurationLine(plan.configuration, dryRun)}`))
  if (plan.notSelected > 0) text.push(`\n${plan.notSelected} other item${plan.notSelected === 1 ? '' : 's'} not selected (--only/--type): not touched.`)
  if (plan.sourcesToDelete.length > 0) {
    const count = plan.sourcesToDelete.length
    text.push(
      // Only a source with a removal plans sources to delete; it words them.
      prose(plan.source.removal?.planLine(count, dryRun) ?? ''),
      ...plan.sourcesToDelete.map((name) => `  ${name}`),
    )
  }

  // A plan that writes nothing adds nothing to the bill: no cost line (a re-run that only deletes its sources).
  const writes = items.some((item) => item.outcome === 'planned')
  const cost = view.showCost && writes ? costLine(plan.cost) : undefined
  if (cost) text.push(prose(`\n${cost}`))
  // A long listing's log says why its first write waited for the last page.
  if (plan.planning?.mode === 'whole' && items.length >= WAIT_NOTE_FROM_ITEMS) text.push(prose(`\nEvery name was listed before the first write: ${plan.planning.why}.`))
  text.push('')
  return text.join('\n')
}

/** How many names the configuration line lists; past it, a count (the plan's rows or --verbose name them). */
const CONFIGURATION_NAMES_SHOWN = 5

/** The items the plan writes that the audit's rules call configuration, and the flag that leaves them. */
function configurationLine(names: readonly string[], dryRun: boolean): string {
  const count = names.length
  const listed = count <= CONFIGURATION_NAMES_SHOWN ? ` (${names.join(', ')})` : ''
  const verb = dryRun ? 'would write' : 'writes'
  return `${count} of the items this plan ${verb} ${count === 1 ? 'is' : 'are'} configuration by the audit's rules, not secrets${listed}: --secrets-only takes only the secrets and leaves ${count === 1 ? 'it' : 'them'} where ${count === 1 ? 'it is' : 'they are'}.`
}

/** From this many items (10 pages, a quarter of a second of Parameter Store's reads) a wait for the whole listing is worth a line. */
const WAIT_NOTE_FROM_ITEMS = 100

/** A streamed plan's line in a pipeline's log, where the plan table would have been (SSM only). */
export function streamingNote(path: string): string {
  return `Writing ${path} page by page as it is listed (no parameter in it can collide with another or conflict with a secret); the result lists every item.`
}

function planRow(item: ItemReport): string[] {
  return [sourceLabel(item), item.type ?? '-', item.target ?? '-', item.plan, item.reason ?? (item.selected ? `secret: ${item.selected}` : '')]
}

/** "300 items: 298 create, 2 update": counts by plan state, in the plan's order. */
function planCounts(items: readonly ItemReport[]): string {
  const counts = planStateCounts(items, STATE_ORDER)
  return `${items.length} item${items.length === 1 ? '' : 's'}${counts ? ': ' : ''}${counts}`
}

/** The question before the first write, default no: where the secrets go, and how many. */
export async function askToWrite(writes: number, where: string, feedback: {pause(): void; resume(): void}): Promise<boolean> {
  feedback.pause()
  try {
    const {confirmOnTerminal} = await import('../prompts.js')
    return await confirmOnTerminal(`Write ${writes} secret${writes === 1 ? '' : 's'} to ${where}?`)
  } finally {
    feedback.resume()
  }
}

/** Progress on stderr while migrating; paused while something else is printed (the plan, a note, a question). */
export interface MigrationFeedback {
  update(progress: MigrationProgress): void
  pause(): void
  resume(): void
  stop(): void
}

/** Spinner with counts on a terminal; plain lines on stderr otherwise; nothing with --json. */
export async function migrationFeedback(quiet: boolean): Promise<MigrationFeedback> {
  if (!quiet && canAnimate()) {
    const spinner = await startProgress('Reading the source', true)
    const rate = writeRate()
    return {
      update: (progress) => spinner.update(progressText(progress, rate(progress))),
      pause: () => spinner.pause(),
      resume: () => spinner.resume(),
      stop: () => spinner.stop(),
    }
  }

  let phase = ''
  let lastWritten = 0
  return {
    update: (progress) => {
      if (quiet) return
      const line = phaseLine(progress, phase)
      if (line) process.stderr.write(`${line}\n`)
      else if (progress.phase === 'writing' && progress.written + progress.failed - lastWritten >= 100) {
        process.stderr.write(`written ${progress.written} of ${progress.toWrite}${progress.listing ? ' planned so far' : ''}, ${progress.failed} failed\n`)
        lastWritten = progress.written + progress.failed
      }

      phase = progress.phase
    },
    pause() {},
    resume() {},
    stop() {},
  }
}

/** What the first Ctrl-C (or SIGTERM) says: heard, and what a second one does. */
export function stoppingNote(signal: NodeJS.Signals, columns?: number): string {
  return wrapToWidth(`Stopping (${signal}): no new writes; finishing and verifying those in flight (${signal === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again stops at once).`, columns)
}

/**
 * The question before the first deletion (SSM parameters) or removal (Lambda variables, each named),
 * default no; the spinner pauses while it is asked.
 */
export function askToDelete(removal: VerifiedRemoval, feedback: {pause(): void; resume(): void}): (names: readonly string[]) => Promise<boolean> {
  return async (names) => {
    feedback.pause()
    try {
      const {confirmOnTerminal} = await import('../prompts.js')
      return await confirmOnTerminal(removal.question(names))
    } finally {
      feedback.resume()
    }
  }
}

function sourceLabel(item: ItemReport): string {
  return item.line === undefined || item.source.startsWith('line ') ? item.source : `${item.source} (line ${item.line})`
}

/** Writes per second since the first write, and the seconds left at that pace (once there is a pace to tell). */
export interface WritePace {
  perSecond: number
  secondsLeft: number
}

/** A clock for the spinner: the pace of the writes, measured from the moment writing began. */
function writeRate(now: () => number = Date.now): (progress: MigrationProgress) => WritePace | undefined {
  let startedAt: number | undefined
  return (progress) => {
    if (progress.phase !== 'writing') return undefined
    startedAt ??= now()
    const seconds = (now() - startedAt) / 1000
    const done = progress.written + progress.failed
    if (seconds < 1 || done === 0) return undefined
    const perSecond = done / seconds
    return {perSecond, secondsLeft: Math.max(0, progress.toWrite - done) / perSecond}
  }
}

/** The spinner's line: a bar, items done, items per second and the time left while writing. */
export function progressText(progress: MigrationProgress, pace?: WritePace): string {
  if (progress.phase === 'reading') return `Reading the source: ${progress.read} found`
  const done = progress.written + progress.failed
  const bar = progress.phase === 'writing' && progress.toWrite > 0 ? `${progressBar(done / progress.toWrite)} ` : ''
  const speed = pace ? `, ${Math.round(pace.perSecond)}/s, about ${formatSeconds(pace.secondsLeft)} left` : ''
  return `Migrating ${bar}${progress.written}/${progress.toWrite} written${speed}, ${progress.verified} verified, ${progress.failed} failed${progress.deleted ? `, ${progress.deleted} source${progress.deleted === 1 ? '' : 's'} deleted` : ''}`
}

function progressBar(fraction: number, width = 20): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width)
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`
  const minutes = Math.floor(seconds / 60)
  return `${minutes} min ${Math.ceil(seconds - minutes * 60)} s`
}

/** One plain stderr line per phase change, for logs without a terminal. */
export function phaseLine(progress: MigrationProgress, previous: string): string | undefined {
  if (progress.phase === previous) return undefined
  switch (progress.phase) {
    case 'planned':
      return `planned ${progress.planned} item${progress.planned === 1 ? '' : 's'}, ${progress.toWrite} to write`
    case 'writing':
      return `writing ${progress.toWrite} secret${progress.toWrite === 1 ? '' : 's'}`
    case 'verifying':
      return `written ${progress.written}, ${progress.failed} failed; verifying`
    case 'deleting':
      return `verified ${progress.verified}; deleting source parameters`
    case 'done':
      if (previous === 'writing') return `written ${progress.written}, ${progress.failed} failed`
      if (previous === 'verifying') return `verified ${progress.verified} of ${progress.written}`
      if (previous === 'deleting') return `deleted ${progress.deleted} source parameter${progress.deleted === 1 ? '' : 's'}`
      return undefined
    default:
      return undefined
  }
}
