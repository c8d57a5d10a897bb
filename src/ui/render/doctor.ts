/** Text of `secrets doctor`: the checks as a table, the problems with their fixes, a verdict. */
import {ux} from '@oclif/core'

import {Scope} from '../../core/address.js'
import {scopeArn} from '../../core/iam-policy.js'
import type {CommandResult} from '../../core/outcome.js'
import type {Check, CheckStatus, DoctorEnvironmentsReport, DoctorReport} from '../../services/doctor.js'
import {renderTable} from '../table.js'

/** One report; with --quiet only the problems (nothing at all when all is well). The exit code is the report's. */
export function doctorResult(report: DoctorReport, quiet: boolean): CommandResult<DoctorReport> {
  const text = renderDoctor(report, quiet)
  return {json: report, exitCode: report.exitCode, ...(text ? {stdout: `${text}\n`} : {})}
}

/**
 * Every environment's section is printed as its check ends (`renderEnvironment`, a person watches
 * them come); the result adds only the first failing environment's exit code.
 */
export function doctorEnvironmentsResult(report: DoctorEnvironmentsReport): CommandResult<DoctorEnvironmentsReport> {
  return {json: report, exitCode: report.exitCode}
}

/** One environment of secrets.yml under its name, or nothing (--quiet and all is well). */
export function renderEnvironment(environment: string, file: string, report: DoctorReport, quiet: boolean): string | undefined {
  const text = renderDoctor(report, quiet)
  return text ? `== ${environment} (${file})\n${text}\n` : undefined
}

const COLOURS: Record<CheckStatus, string> = {ok: 'green', fail: 'red', warn: 'yellow', skip: 'gray', info: 'cyan'}

function renderDoctor(report: DoctorReport, quiet: boolean): string {
  const problems = report.checks.filter((check) => check.status === 'fail' || check.status === 'warn')
  const sections: string[] = []
  if (!quiet) {
    // The write actions are explained once below the table; --json keeps them as checks.
    const writes = report.checks.filter((check) => check.status === 'info' && check.fix)
    const shown = report.checks.filter((check) => !writes.includes(check))
    sections.push(renderTable(['CHECK', 'STATUS', 'DETAIL'], shown.map((check) => [check.id, ux.colorize(COLOURS[check.status], check.status), check.detail])))
    if (writes.length > 0 && report.scope) {
      const actions = writes.map((check) => check.id.slice(`${report.scope}: `.length))
      const arn = scopeArn(Scope.parse(report.scope), report.region, report.account)
      sections.push(
        `Not tried, because doctor never writes: ${actions.join(', ')} (set, promote, migrate, delete and restore need them).
If a command fails with "Access denied: secretsmanager:<Action> on /${report.scope}/...", allow that action on ${arn}.`,
      )
    }
  }

  if (problems.length > 0) sections.push(`Problems:\n${problems.map((check) => renderProblem(check)).join('\n')}`)
  if (!quiet) sections.push(report.ok ? 'All checks passed.' : `Exit ${report.exitCode}: fix the first problem above and run "secrets doctor" again.`)
  return sections.join('\n\n')
}

function renderProblem(check: Check): string {
  return `  ${ux.colorize(COLOURS[check.status], check.status === 'fail' ? 'x' : '!')} ${check.id}: ${check.detail}${check.fix ? `\n    Fix: ${check.fix}` : ''}`
}
