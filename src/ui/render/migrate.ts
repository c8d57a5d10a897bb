/** What `secrets migrate` shows: the plan, the progress (stderr), the result table and the summary. */
import type {CommandResult} from '../../core/outcome.js'
import type {ItemReport, MigrationProgress, MigrationRecipe, MigrationReport} from '../../services/migrate.js'
import {startProgress} from '../spinner.js'
import {renderTable} from '../table.js'
import {canAnimate} from '../terminal.js'

/** The result table (when an outcome differs from its plan), the summary, and the report's hint; its exit code. */
export function migrationResult(report: MigrationReport, options: {quiet?: boolean} = {}): CommandResult<MigrationReport> {
  // --quiet: the summary line alone (the exit code and --json say the rest).
  if (options.quiet) return {json: report, stdout: `${report.summary}\n`, exitCode: report.exitCode}
  const text: string[] = []
  if (!report.dryRun && report.items.some((item) => item.outcome !== item.plan || item.sourceKept !== undefined)) {
    text.push(
      'Result:',
      renderTable(
        ['SOURCE', 'TARGET', 'OUTCOME', ...(report.deleteSource ? ['SOURCE DELETED'] : []), 'NOTE'],
        report.items.map((item) => [
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

  text.push(report.summary)
  if (report.recipe) text.push('', ...renderRecipe(report.recipe))
  return {json: report, stdout: `${text.join('\n')}\n`, exitCode: report.exitCode, ...(report.hint ? {hint: report.hint} : {})}
}

/** What is left to do on the workload, which this command never changes. */
function renderRecipe(recipe: MigrationRecipe): string[] {
  const what = recipe.kind === 'lambda' ? `function ${recipe.workload}` : `task definition ${recipe.workload}`
  const remove =
    recipe.kind === 'lambda'
      ? `  2. Once its code reads them from Secrets Manager, remove these variables from the function's environment in its template: ${recipe.removeVariables.join(', ')}`
      : `  2. In its template, move these entries from environment to secrets (valueFrom: the secret's ARN): ${recipe.removeVariables.join(', ')}`
  return [`Left to do (${what} was not changed):`, '  1. Let it read the migrated secrets:', `     ${recipe.grant}`, remove]
}

/** The plan, printed before anything is written (and before the question about deleting sources). */
export function renderMigrationPlan(items: readonly ItemReport[], dryRun: boolean, plan: {sourcesToDelete: readonly string[]; notSelected: number}): string {
  const text = [
    `${dryRun ? 'Plan (dry run, nothing will be written)' : 'Plan'}:`,
    renderTable(
      ['SOURCE', 'TYPE', 'TARGET', 'PLAN', 'NOTE'],
      items.map((item) => [sourceLabel(item), item.type ?? '-', item.target ?? '-', item.plan, item.reason ?? (item.selected ? `secret: ${item.selected}` : '')]),
    ),
  ]
  if (plan.notSelected > 0) text.push(`\n${plan.notSelected} other item${plan.notSelected === 1 ? '' : 's'} not selected (--only/--type): not touched.`)
  if (plan.sourcesToDelete.length > 0) {
    const count = plan.sourcesToDelete.length
    text.push(
      `\n${dryRun ? 'Would delete' : 'Will delete'} ${count} source parameter${count === 1 ? '' : 's'} (--delete-source), each only once its secret verified equal:`,
      ...plan.sourcesToDelete.map((name) => `  ${name}`),
    )
  }

  text.push('')
  return text.join('\n')
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
    return {
      update: (progress) => spinner.update(progressText(progress)),
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
        process.stderr.write(`written ${progress.written} of ${progress.toWrite}, ${progress.failed} failed\n`)
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
export function stoppingNote(signal: NodeJS.Signals): string {
  return `Stopping (${signal}): no new writes; finishing and verifying those in flight (${signal === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again stops at once).`
}

/** The question before the first deletion, default no; the spinner pauses while it is asked. */
export async function askToDelete(names: readonly string[], feedback: {pause(): void; resume(): void}): Promise<boolean> {
  feedback.pause()
  try {
    const {confirmOnTerminal} = await import('../prompts.js')
    const one = names.length === 1
    return await confirmOnTerminal(`Delete ${names.length} source parameter${one ? '' : 's'} from SSM now that ${one ? 'its secret' : 'their secrets'} verified?`)
  } finally {
    feedback.resume()
  }
}

function sourceLabel(item: ItemReport): string {
  return item.line === undefined || item.source.startsWith('line ') ? item.source : `${item.source} (line ${item.line})`
}

function progressText(progress: MigrationProgress): string {
  if (progress.phase === 'reading') return `Reading the source: ${progress.read} found`
  return `Migrating: ${progress.planned} planned, ${progress.written}/${progress.toWrite} written, ${progress.verified} verified, ${progress.failed} failed${progress.deleted ? `, ${progress.deleted} sources deleted` : ''}`
}

/** One plain stderr line per phase change, for logs without a terminal. */
function phaseLine(progress: MigrationProgress, previous: string): string | undefined {
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
      if (previous === 'deleting') return `deleted ${progress.deleted} source parameters`
      return undefined
    default:
      return undefined
  }
}
