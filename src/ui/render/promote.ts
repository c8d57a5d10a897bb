/** What `secrets promote` shows: the plan, the result table, the summary and the report's hint. */
import {ux} from '@oclif/core'

import {costLine} from '../../core/cost.js'
import type {CommandResult} from '../../core/outcome.js'
import type {PromoteItem, PromoteReport} from '../../services/promote.js'
import {renderTable} from '../table.js'
import {screenRows, wrapToWidth} from '../wrap.js'
import {hiddenStates, outcomeAsPlanned, planStateCounts, rowsNotShownLine} from './compact-plan.js'

/** Plan states a person must look at before saying yes; the rest (create, unchanged) is counted. */
const ATTENTION: ReadonlySet<string> = new Set(['update', 'conflict', 'missing-source'])
const STATE_ORDER = ['create', 'update', 'unchanged', 'conflict', 'missing-source'] as const

/** Lines printed after the plan before a person answers: the question, and the spinner's line. */
const LINES_AFTER_PLAN = 2

/**
 * The plan, printed before the question (and with --dry-run, alone before the summary). At a terminal
 * (`compact`): counts by state, every row when the plan fits in the terminal's `rows` (else only the
 * rows that need attention), the cost, prose broken at its `columns`; in a pipeline and with
 * --verbose, every row, as before.
 */
export function renderPromotionPlan(plan: PromoteReport, view: {compact: boolean; showCost: boolean; rows?: number; columns?: number} = {compact: false, showCost: false}): string {
  const title = plan.dryRun ? 'Plan (dry run, nothing will be written)' : 'Plan'
  const cost = view.showCost ? costLine(plan.cost) : undefined
  const costText = cost ? `\n${wrapToWidth(cost, view.columns)}\n` : ''
  if (!view.compact) return `${title}:\n${renderItems(plan.items, 'plan')}\n${costText}`
  const heading = wrapToWidth(`${title}: ${plan.items.length} secret${plan.items.length === 1 ? '' : 's'}: ${planStateCounts(plan.items, STATE_ORDER)}.`, view.columns)
  const everyRow = `${heading}\n${renderItems(plan.items, 'plan')}\n${costText}`
  if (view.rows !== undefined && screenRows(everyRow, view.columns) + LINES_AFTER_PLAN <= view.rows) return everyRow
  const shown = plan.items.filter((item) => ATTENTION.has(item.plan))
  const text = [heading]
  if (shown.length > 0) text.push(renderItems(shown, 'plan'))
  const hidden = plan.items.length - shown.length
  if (hidden > 0) text.push(wrapToWidth(rowsNotShownLine(hidden, hiddenStates(plan.items, STATE_ORDER, ATTENTION)), view.columns))
  return `${text.join('\n')}\n${costText}`
}

/**
 * The result table (after writes that changed something), the summary line and the hint; --quiet
 * keeps the summary only. The exit code is the report's.
 */
export function promotionResult(report: PromoteReport, options: {quiet: boolean; executed: boolean; compact?: boolean}): CommandResult<PromoteReport> {
  const changed = options.executed && report.items.some((item) => item.outcome !== 'unchanged' && item.outcome !== 'skipped')
  // At a terminal only the rows whose outcome is not what the plan said (failed, skipped, not run).
  const rows = options.compact ? report.items.filter((item) => !outcomeAsPlanned(item)) : report.items
  const table = changed && !options.quiet && rows.length > 0 ? `Result:\n${renderItems(rows, 'outcome')}\n\n` : ''
  return {json: report, stdout: `${table}${report.summary}\n`, exitCode: report.exitCode, ...(report.hint && !options.quiet ? {hint: report.hint} : {})}
}

const COLOURS: Record<string, string> = {
  create: 'green',
  created: 'green',
  planned: 'green',
  update: 'yellow',
  updated: 'yellow',
  conflict: 'red',
  'missing-source': 'red',
  failed: 'red',
  unchanged: 'gray',
  skipped: 'gray',
  'not-run': 'gray',
}

/** NAME, TARGET, PLAN or OUTCOME, NOTE; colour through oclif's colorize, so NO_COLOR and FORCE_COLOR apply. */
function renderItems(items: readonly PromoteItem[], column: 'plan' | 'outcome'): string {
  return renderTable(
    ['NAME', 'TARGET', column === 'plan' ? 'PLAN' : 'OUTCOME', 'NOTE'],
    items.map((item) => {
      const state = column === 'plan' ? item.plan : item.outcome
      const note = column === 'outcome' && item.verified ? 'verified' : (item.reason ?? '')
      return [item.name, item.target, ux.colorize(COLOURS[state], state), note]
    }),
  )
}
