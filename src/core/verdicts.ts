/**
 * Exit codes and next steps of the checks whose reports do not carry their own (diff, audit): pure
 * decisions, so a command only passes them on. The reports themselves (the --json documents) stay as
 * they are.
 */
import {type AuditArea, countFindings, type CoverageGap, type Finding, type FindingCounts, findingsAtOrAbove} from './audit/findings.js'
import type {Severity} from './audit/severity.js'
import type {DiffState} from './env-compare.js'
import {AccessDeniedError, ExitCode, type ExitCodeValue} from './errors.js'

export interface Verdict {
  exitCode: ExitCodeValue
  /** The next step, for the person reading the report. */
  hint?: string
  /** Why the exit code is not 0, in one line. */
  reason?: string
}

/** diff: 0 when the scopes hold the same names and values, 8 when not; promote's dry run is the next step when copying would change something. */
export function diffVerdict(report: {left: string; right: string; equal: boolean; counts: Record<DiffState, number>}): Verdict {
  if (report.equal) return {exitCode: ExitCode.ok}
  const copying = report.counts['only-left'] + report.counts.different > 0
  return {
    exitCode: ExitCode.different,
    ...(copying ? {hint: `"secrets promote ${report.left} ${report.right} --dry-run" shows what copying would change.`} : {}),
  }
}

/** The --json document of `secrets audit`. */
export interface AuditResult<Inspected = Record<string, number>> {
  region?: string
  areas: AuditArea[]
  failOn?: Severity
  /** True when --fail-on tripped (the exit code is then 7). */
  failed: boolean
  counts: FindingCounts
  findings: Finding[]
  gaps: CoverageGap[]
  inspected: Inspected
}

export interface AuditJudgement<Inspected> {
  /** What the service found. */
  report: {areas: AuditArea[]; findings: Finding[]; gaps: CoverageGap[]; inspected: Inspected}
  failOn?: Severity
  region?: string
  /** Every listing of every area was denied (services/audit.ts `nothingInspected`). */
  nothingInspected: boolean
  /** Every IAM action the audit calls, for the hint when nothing could be read. */
  actions: readonly string[]
}

/**
 * audit: exit 7 when --fail-on trips (the report is still the document); findings alone do not change
 * the exit code. An audit that could read nothing at all is no report: exit 5, naming what was denied.
 */
export function auditVerdict<Inspected>(input: AuditJudgement<Inspected>): {result: AuditResult<Inspected>} & Verdict {
  const {report, failOn, actions} = input
  if (input.nothingInspected) {
    throw new AccessDeniedError(
      `Nothing could be audited: access was denied to ${report.gaps.map((gap) => gap.action).join(', ')}.`,
      `Run it as an identity allowed ${actions.slice(0, -1).join(', ')} and ${actions.at(-1)} (ReadOnlyAccess has them all).`,
    )
  }

  const failing = failOn ? findingsAtOrAbove(report.findings, failOn) : []
  const result: AuditResult<Inspected> = {
    region: input.region,
    areas: report.areas,
    ...(failOn ? {failOn} : {}),
    failed: failing.length > 0,
    counts: countFindings(report.findings),
    findings: report.findings,
    gaps: report.gaps,
    inspected: report.inspected,
  }
  if (!result.failed) return {result, exitCode: ExitCode.ok}
  return {result, exitCode: ExitCode.findings, reason: `${failing.length} finding${failing.length === 1 ? '' : 's'} at or above ${failOn} (--fail-on ${failOn}).`}
}
