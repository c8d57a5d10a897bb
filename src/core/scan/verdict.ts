/**
 * The outcome of `secrets scan`, decided where it is known: the --json document and its exit code.
 * 7 when a finding (not in the baseline) is at or above --fail-on; else 2 when a template could not
 * be parsed (the rest was scanned); else 0. Findings are the surer answer, so they come first; an
 * unparsable file is in the report either way.
 */
import {countFindings, type FindingCounts} from '../audit/findings.js'
import type {Severity} from '../audit/severity.js'
import {ExitCode} from '../errors.js'
import type {Verdict} from '../verdicts.js'
import {plural} from '../words.js'
import {inBaseline, type ScanFinding, scanFindingsAtOrAbove, type TemplateFormat} from './findings.js'

/** What the walk found (services/scan.ts). */
export interface ScanReport {
  findings: ScanFinding[]
  /** Templates read, with their format and how many findings each had. */
  templates: Array<{file: string; format: TemplateFormat; findings: number}>
  /** Files that looked like templates and could not be parsed. */
  unparsable: Array<{file: string; line?: number; reason: string}>
  /** Files and directories passed over, and why (too large, binary, unreadable, a link to a directory, cdk.out). */
  skipped: Array<{file: string; reason: string}>
  /** Files looked at (every file of the walk not ignored). */
  filesSeen: number
}

/** The --json document of `secrets scan`. */
export interface ScanResult extends Omit<ScanReport, 'filesSeen' | 'findings'> {
  findings: Array<ScanFinding & {baselined?: true}>
  /** With --baseline: the report it read and how many of this run's findings it already had. */
  baseline?: {file: string; known: number}
  failOn: Severity
  /** True when --fail-on tripped (exit 7) or a template could not be parsed (exit 2). */
  failed: boolean
  counts: FindingCounts
  files: {seen: number; templates: number}
}

export interface ScanJudgement {
  report: ScanReport
  failOn: Severity
  /** A previous report's fingerprints and where it was read from (--baseline). */
  baseline?: {file: string; fingerprints: ReadonlySet<string>}
}

export function scanVerdict({report, failOn, baseline}: ScanJudgement): {result: ScanResult} & Verdict {
  const {filesSeen, ...rest} = report
  const findings = report.findings.map((item) => (baseline !== undefined && inBaseline(item, baseline.fingerprints) ? {...item, baselined: true as const} : item))
  const fresh = findings.filter((item) => !('baselined' in item))
  const failing = scanFindingsAtOrAbove(fresh, failOn)
  const result: ScanResult = {
    ...rest,
    findings,
    ...(baseline === undefined ? {} : {baseline: {file: baseline.file, known: findings.length - fresh.length}}),
    failOn,
    failed: failing.length > 0 || report.unparsable.length > 0,
    counts: countFindings(report.findings),
    files: {seen: filesSeen, templates: report.templates.length},
  }
  if (failing.length > 0) {
    return {result, exitCode: ExitCode.findings, reason: `${plural(failing.length, 'finding')} at or above ${failOn} (--fail-on ${failOn}).`}
  }

  if (report.unparsable.length > 0) {
    return {result, exitCode: ExitCode.usage, reason: `${plural(report.unparsable.length, 'template')} could not be parsed: ${report.unparsable.map((item) => item.file).join(', ')}.`}
  }

  return {result, exitCode: ExitCode.ok}
}
