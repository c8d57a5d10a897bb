import {Errors, Flags} from '@oclif/core'

import {BaseCommand, EXIT_CODES_HELP} from '../base-command.js'
import {partProblem} from '../core/address.js'
import {
  AREA_TITLES,
  AUDIT_AREAS,
  type AuditArea,
  countFindings,
  type CoverageGap,
  describeCounts,
  type Finding,
  type FindingCounts,
  findingsAtOrAbove,
  groupByArea,
} from '../core/audit/findings.js'
import {SEVERITIES, type Severity} from '../core/audit/severity.js'
import {AccessDeniedError, ExitCode, FindingsError, UsageError} from '../core/errors.js'
import {escapeLine} from '../core/printable.js'
import type {AuditInspected} from '../services/audit.js'
import {startProgress} from '../ui/spinner.js'
import {renderTable} from '../ui/table.js'

interface AuditResult {
  region?: string
  areas: AuditArea[]
  failOn?: Severity
  /** True when --fail-on tripped (the exit code is then 7). */
  failed: boolean
  counts: FindingCounts
  findings: Finding[]
  gaps: CoverageGap[]
  inspected: AuditInspected
}

export default class Audit extends BaseCommand<AuditResult> {
  static override description = `Read-only. Looks at a live account for the three ways secrets leak, and says for each finding which \`secrets\` command fixes it:

  env  Lambda environment variables and ECS task definition \`environment\` entries (latest active revision) whose value looks like a credential (secretlint's recommended rules) or whose name says secret (PASSWORD, TOKEN, API_KEY, ...) while the value is not a reference (ARN, {{resolve:...}}, /env/service/name) or a flag.
  ssm  String and StringList parameters that hold a secret (high: unencrypted) and SecureString parameters (medium: Secrets Manager rotates and scales for run-time reads).
  iam  Customer-managed and inline role/user policies that let their holder read every secret, a whole environment (/prod/*) or several environments, and roles whose policies together span environments.

No finding ever contains a value. An API you may not call is reported as a coverage gap and the rest still runs.

Each fix is safe to run as printed: it touches exactly the items of its finding. A parameter's fix moves that one parameter (\`secrets migrate --from-ssm /prod/billing --to prod/billing --only SMTP_PASSWORD --delete-source\`), never the configuration beside it; it deletes the parameter only once its secret verified, and asks first at a terminal. A fix with a placeholder (ENV, SERVICE) deletes nothing.

With --fail-on, exits 7 when a finding at or above that severity exists (the report is still printed); without it, findings do not change the exit code.

${EXIT_CODES_HELP.replace('5 access denied', '5 access denied (to every API of the audit)').replace(', 130', ', 7 findings at or above --fail-on, 130')}`

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %>', description: 'Audit the default region.'},
    {command: '<%= config.bin %> <%= command.id %> --only iam', description: 'Only the IAM policies.'},
    {command: '<%= config.bin %> <%= command.id %> --env prod', description: 'The account and region of prod, as secrets.yml declares them.'},
    {command: '<%= config.bin %> <%= command.id %> --region eu-west-1 --fail-on high --json > audit.json', description: 'In a scheduled pipeline: fail on high findings, keep the report.'},
  ]

  static override flags = {
    only: Flags.string({
      description: 'Inspect only this area (repeatable).',
      options: [...AUDIT_AREAS],
      multiple: true,
    }),
    'fail-on': Flags.string({
      description: 'Exit 7 when a finding of this severity or worse exists.',
      options: [...SEVERITIES],
    }),
    env: Flags.string({description: 'Audit this environment\'s account and region (its profile or role, region from secrets.yml).'}),
  }

  static override summary = 'Find secrets in environment variables and Parameter Store, and IAM that reads too many secrets.'

  /** Set once the report is on stdout, so a --fail-on exit does not print a second document. */
  private reported = false

  async run(): Promise<AuditResult> {
    const {flags} = await this.parse(Audit)
    const areas = AUDIT_AREAS.filter((area) => !flags.only || flags.only.includes(area))
    const failOn = flags['fail-on'] as Severity | undefined
    const [{runAudit, nothingInspected, AUDIT_ACTIONS}, aws] = await Promise.all([import('../services/audit.js'), this.aws()])
    const problem = flags.env === undefined ? undefined : partProblem('environment', flags.env)
    if (problem) throw new UsageError(`Invalid --env: ${problem}.`)
    const {context} = await this.environment(flags, flags.env)
    const {readers, region: readRegion} = await aws.auditReaders(context, areas)
    const progress = await startProgress(`Auditing ${areas.join(', ')}`, !this.jsonEnabled())
    let report
    try {
      report = await runAudit(readers, {areas, onProgress: (text) => progress.update(text)})
    } finally {
      progress.stop()
    }

    if (nothingInspected(report)) {
      throw new AccessDeniedError(
        `Nothing could be audited: access was denied to ${report.gaps.map((gap) => gap.action).join(', ')}.`,
        `Run it as an identity allowed ${AUDIT_ACTIONS.slice(0, -1).join(', ')} and ${AUDIT_ACTIONS.at(-1)} (ReadOnlyAccess has them all).`,
      )
    }

    const region = await readRegion()
    const failing = failOn ? findingsAtOrAbove(report.findings, failOn) : []
    const result: AuditResult = {
      region,
      areas,
      ...(failOn ? {failOn} : {}),
      failed: failing.length > 0,
      counts: countFindings(report.findings),
      findings: report.findings,
      gaps: report.gaps,
      inspected: report.inspected,
    }
    if (!result.failed) {
      if (!this.jsonEnabled()) this.log(renderReport(result))
      return result
    }

    if (this.jsonEnabled()) this.logJson(result)
    else this.log(renderReport(result))
    this.reported = true
    throw new FindingsError(
      `${plural(failing.length, 'finding')} at or above ${failOn} (--fail-on ${failOn}).`,
      ExitCode.findings,
    )
  }

  override async catch(error: Error & {exitCode?: number}): Promise<never> {
    if (error instanceof FindingsError && this.reported) {
      if (!this.jsonEnabled()) process.stderr.write(`${error.message}\n`)
      throw new Errors.ExitError(error.exitCode)
    }

    return super.catch(error)
  }
}

const RESOURCE_LABELS: Record<Finding['resourceType'], string> = {
  'lambda-function': 'lambda',
  'ecs-task-definition': 'ecs',
  'ssm-parameter': 'ssm',
  'iam-managed-policy': 'policy',
  'iam-role': 'role',
  'iam-user': 'user',
}

const ITEM_HEADINGS: Record<AuditArea, string> = {env: 'VARIABLE', ssm: 'PARAMETER', iam: 'POLICY'}

/** One table per mistake with its counts, then the gaps, then a one-line summary. */
function renderReport(result: AuditResult): string {
  const sections: string[] = []
  for (const {area, findings} of groupByArea(result.findings)) {
    const heading = `${AREA_TITLES[area]}: ${findings.length} (${describeCounts(countFindings(findings))})`
    // Resource and variable names, details and fixes quote AWS data (an ECS variable name may hold ESC[2J).
    const rows = findings.map((item) => [
      item.severity,
      `${RESOURCE_LABELS[item.resourceType]}:${escapeLine(item.resource)}`,
      area === 'ssm' ? '' : escapeLine(item.item ?? ''),
      escapeLine(item.detail),
      escapeLine(item.fix),
    ])
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
      ? `${plural(inspected.iamManagedPolicies, 'managed policy', 'managed policies')}, ${plural(inspected.iamRoles, 'role')}, ${plural(inspected.iamUsers, 'user')}`
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
