/** Text of `secrets audit`: one table per mistake, the coverage gaps, a summary line. */
import {AREA_TITLES, type AuditArea, countFindings, describeCounts, type Finding, groupByArea} from '../../core/audit/findings.js'
import type {CommandResult} from '../../core/outcome.js'
import {escapeLine} from '../../core/printable.js'
import type {AuditResult, Verdict} from '../../core/verdicts.js'
import type {AuditInspected} from '../../services/audit.js'
import {renderTable} from '../table.js'

/** The report (the --json document, or the text), exit 7 and its reason when --fail-on tripped. */
export function auditResult(verdict: {result: AuditResult<AuditInspected>} & Verdict, options: {quiet?: boolean} = {}): CommandResult<AuditResult<AuditInspected>> {
  const {result, exitCode, reason} = verdict
  // --quiet: the summary line alone, and why the exit code is 7 when it is.
  const text = options.quiet ? renderAudit(result).split('\n\n').at(-1) : renderAudit(result)
  return {json: result, stdout: `${text}\n`, exitCode, ...(reason ? {notice: reason} : {})}
}

const RESOURCE_LABELS: Record<Finding['resourceType'], string> = {
  'lambda-function': 'lambda',
  'ecs-task-definition': 'ecs',
  'ssm-parameter': 'ssm',
  'iam-managed-policy': 'policy',
  'iam-role': 'role',
  'iam-user': 'user',
  'secretsmanager-secret': 'secret',
  'iam-group': 'group',
}

const ITEM_HEADINGS: Record<AuditArea, string> = {env: 'VARIABLE', ssm: 'PARAMETER', iam: 'POLICY'}

/** One table per mistake with its counts, then the gaps, then a one-line summary. */
export function renderAudit(result: AuditResult<AuditInspected>): string {
  const sections: string[] = []
  for (const {area, findings} of groupByArea(result.findings)) {
    const heading = `${AREA_TITLES[area]}: ${findings.length} (${describeCounts(countFindings(findings))})`
    // Resource and variable names, details and fixes quote AWS data (an ECS variable name may hold ESC[2J).
    const label = (item: Finding) => `${RESOURCE_LABELS[item.resourceType]}:${escapeLine(item.resource)}`
    const rows = findings.map((item, index) => {
      // A workload's findings share one fix (one migrate and one grant for all of its secrets): it is
      // printed on the first of its rows only, so it reads, and is run, once. Rows are sorted by rule,
      // so another workload's rows may come between: the others name the row that carries it.
      const first = findings.slice(0, index).find((other) => other.resource === item.resource && other.fix === item.fix)
      const fix = first === undefined ? escapeLine(item.fix) : `(the same fix as for ${label(first)}${area === 'ssm' || first.item === undefined ? '' : ` ${escapeLine(first.item)}`} above)`
      return [item.severity, label(item), area === 'ssm' ? '' : escapeLine(item.item ?? ''), escapeLine(item.detail), fix]
    })
    const headers = ['SEVERITY', 'RESOURCE', ITEM_HEADINGS[area], 'WHY', 'FIX']
    // Parameters are their own resource: drop the empty column rather than print it.
    const table = area === 'ssm' ? renderTable(without(headers, 2), rows.map((row) => without(row, 2))) : renderTable(headers, rows)
    sections.push(`${heading}\n${table}`)
  }

  if (result.gaps.length > 0) {
    sections.push(
      `Not inspected (${result.gaps.length}):\n${renderTable(
        ['AREA', 'ACTION', 'RESOURCE', 'REASON'],
        result.gaps.map((gap) => [gap.area, gap.action, escapeLine(gap.resource ?? '(all)'), escapeLine(gap.reason)]),
      )}`,
    )
  }

  const {inspected} = result
  const scope = [
    result.areas.includes('env')
      ? `${plural(inspected.lambdaFunctions, 'Lambda function')}, ${plural(inspected.ecsTaskDefinitions, 'ECS task definition')}`
      : undefined,
    result.areas.includes('ssm') ? plural(inspected.ssmParameters, 'SSM parameter') : undefined,
    result.areas.includes('iam')
      ? `${plural(inspected.iamManagedPolicies, 'managed policy', 'managed policies')}, ${plural(inspected.iamRoles, 'role')}, ${plural(inspected.iamUsers, 'user')}${inspected.iamGroups > 0 ? `, ${plural(inspected.iamGroups, 'group')}` : ''}, ${plural(inspected.secrets, 'secret')}`
      : undefined,
  ]
    .filter(Boolean)
    .join(', ')
  const total = result.counts.total
  const verdict = total === 0 ? 'No findings' : `${plural(total, 'finding')} (${describeCounts(result.counts)})`
  sections.push(`${verdict} in ${scope}${result.region ? ` (${result.region})` : ''}.${result.gaps.length > 0 ? ' Coverage is incomplete: see above.' : ''}`)
  return sections.join('\n\n')
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`
}

function without<T>(list: T[], index: number): T[] {
  return list.filter((_, at) => at !== index)
}
