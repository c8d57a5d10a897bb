/** What `secrets promote` shows: the plan, the result table, the summary and the report's hint. */
import {ux} from '@oclif/core'

import type {CommandResult} from '../../core/outcome.js'
import type {PromoteItem, PromoteReport} from '../../services/promote.js'
import {renderTable} from '../table.js'

/** The plan, printed before the question (and with --dry-run, alone before the summary). */
export function renderPromotionPlan(plan: PromoteReport): string {
  return `${plan.dryRun ? 'Plan (dry run, nothing will be written)' : 'Plan'}:\n${renderItems(plan.items, 'plan')}\n`
}

/**
 * The result table (after writes that changed something), the summary line and the hint; --quiet
 * keeps the summary only. The exit code is the report's.
 */
export function promotionResult(report: PromoteReport, options: {quiet: boolean; executed: boolean}): CommandResult<PromoteReport> {
  const changed = options.executed && report.items.some((item) => item.outcome !== 'unchanged' && item.outcome !== 'skipped')
  const table = changed && !options.quiet ? `Result:\n${renderItems(report.items, 'outcome')}\n\n` : ''
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
