/** Text of `secrets diff`: a NAME/STATE table and a summary line. */
import {ux} from '@oclif/core'

import type {DiffEntry, DiffState} from '../../core/env-compare.js'
import type {CommandResult} from '../../core/outcome.js'
import {escapeLine} from '../../core/printable.js'
import {diffVerdict} from '../../core/verdicts.js'
import type {DiffReport} from '../../services/diff.js'
import {renderTable} from '../table.js'

/** The report as the document or the table; --quiet prints nothing, and the exit code says equal (0) or different (8). */
export function diffResult(report: DiffReport, quiet: boolean): CommandResult<DiffReport> {
  const {exitCode, hint} = diffVerdict(report)
  return quiet ? {json: report, exitCode} : {json: report, stdout: `${renderDiff(report)}\n`, exitCode, ...(hint ? {hint} : {})}
}

const COLOURS: Record<DiffState, string> = {'only-left': 'yellow', 'only-right': 'cyan', different: 'red', equal: 'green'}

function stateLabel(state: DiffState, report: DiffReport): string {
  if (state === 'only-left') return `only in ${report.left}`
  if (state === 'only-right') return `only in ${report.right}`
  return state
}

/** `different (fields: host, password)`: every field name that differs, whichever way (diff --fields). */
function fieldsLabel(entry: DiffEntry): string {
  if (!entry.fields) return ''
  const names = [...entry.fields.different, ...entry.fields.onlyLeft, ...entry.fields.onlyRight].sort()
  return names.length === 0 ? ' (no field differs: only spacing or order)' : ` (fields: ${names.map((name) => escapeLine(name)).join(', ')})`
}

/** A NAME/STATE table and a summary line; colour (via oclif's colorize) honours NO_COLOR and FORCE_COLOR. */
function renderDiff(report: DiffReport): string {
  const {counts} = report
  const total = report.secrets.length
  if (total === 0) return `${report.left} and ${report.right} are both empty: equal.`
  const table = renderTable(
    ['NAME', 'STATE'],
    report.secrets.map((entry) => [entry.name, ux.colorize(COLOURS[entry.state], stateLabel(entry.state, report)) + fieldsLabel(entry)]),
  )
  const parts = [
    counts['only-left'] ? `${counts['only-left']} only in ${report.left}` : '',
    counts['only-right'] ? `${counts['only-right']} only in ${report.right}` : '',
    counts.different ? `${counts.different} different` : '',
    counts.equal ? `${counts.equal} equal` : '',
  ].filter(Boolean)
  const verdict = report.equal ? 'equal' : 'differ'
  return `${table}\n\n${report.left} and ${report.right} ${verdict}: ${parts.join(', ')}.`
}
