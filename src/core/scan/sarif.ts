/**
 * SARIF 2.1.0, as GitHub code scanning takes it: one run, the rules with their help text, each result
 * with its physical location (file, line and column of the value) and a partial fingerprint that
 * leaves the line out, so a finding keeps its identity when lines move above it.
 */
import type {Severity} from '../audit/severity.js'
import {SCAN_RULE_HELP, SCAN_RULES, type ScanFinding, type ScanRuleId} from './findings.js'

/** The key of scan's fingerprint in `partialFingerprints`; `--baseline` reads it back. */
export const FINGERPRINT_KEY = 'secretsScan/v1'

const LEVELS: Record<Severity, 'error' | 'warning' | 'note'> = {high: 'error', medium: 'warning', low: 'note'}
/** GitHub ranks security results by this property: high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9. */
const SECURITY_SEVERITY: Record<Severity, string> = {high: '8.0', medium: '5.0', low: '3.0'}

export interface SarifOptions {
  version: string
  /** Templates that could not be parsed: tool notifications, so the run says it is incomplete. */
  unparsable?: ReadonlyArray<{file: string; line?: number; reason: string}>
}

/** The whole SARIF log for one scan. */
export function toSarif(findings: readonly ScanFinding[], options: SarifOptions): object {
  const ids = Object.keys(SCAN_RULES) as ScanRuleId[]
  const rules = ids.map((id) => {
    const rule = SCAN_RULES[id]
    return {
      id,
      name: id.replaceAll(/(^|-)(\w)/g, (_, __, letter: string) => letter.toUpperCase()),
      shortDescription: {text: rule.title},
      fullDescription: {text: SCAN_RULE_HELP[id]},
      help: {text: SCAN_RULE_HELP[id], markdown: SCAN_RULE_HELP[id]},
      defaultConfiguration: {level: LEVELS[rule.severity]},
      properties: {tags: ['security', 'secrets'], 'security-severity': SECURITY_SEVERITY[rule.severity]},
    }
  })
  const results = findings.map((item) => ({
    ruleId: item.rule,
    ruleIndex: ids.indexOf(item.rule),
    level: LEVELS[item.severity],
    message: {text: `${item.reason}. Fix: ${[item.fix.store, item.fix.grant, item.fix.change].filter(Boolean).join('; ')}`},
    locations: [
      {
        physicalLocation: {
          artifactLocation: {uri: encodeURI(item.file.replaceAll('\\', '/')), uriBaseId: '%SRCROOT%'},
          region: {startLine: item.line, startColumn: item.column},
        },
        logicalLocations: [{name: item.variable ? `${item.resource}/${item.variable}` : item.resource, kind: 'resource'}],
      },
    ],
    partialFingerprints: {[FINGERPRINT_KEY]: item.fingerprint},
    properties: {resource: item.resource, ...(item.variable ? {variable: item.variable} : {}), format: item.format, fix: item.fix},
  }))
  const notifications = (options.unparsable ?? []).map((item) => ({
    level: 'error',
    message: {text: `could not be parsed: ${item.reason}`},
    locations: [
      {
        physicalLocation: {
          artifactLocation: {uri: encodeURI(item.file.replaceAll('\\', '/')), uriBaseId: '%SRCROOT%'},
          ...(item.line === undefined ? {} : {region: {startLine: item.line}}),
        },
      },
    ],
  }))
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {driver: {name: 'secrets scan', semanticVersion: options.version, rules}},
        invocations: [{executionSuccessful: notifications.length === 0, toolExecutionNotifications: notifications}],
        results,
      },
    ],
  }
}

/**
 * The fingerprints of a previous report, `--json` (findings[].fingerprint) or SARIF
 * (results[].partialFingerprints), for `--baseline`. Throws a plain Error saying what is wrong.
 */
export function baselineFingerprints(text: string): Set<string> {
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch {
    throw new Error('is not JSON (give a report written by secrets scan --json or --format sarif)')
  }

  const fingerprints = new Set<string>()
  const record = document as {findings?: unknown; runs?: unknown}
  if (Array.isArray(record.findings)) {
    for (const item of record.findings as Array<{fingerprint?: unknown}>) if (typeof item?.fingerprint === 'string') fingerprints.add(item.fingerprint)
    return fingerprints
  }

  if (Array.isArray(record.runs)) {
    for (const run of record.runs as Array<{results?: unknown}>) {
      for (const result of Array.isArray(run?.results) ? (run.results as Array<{partialFingerprints?: Record<string, unknown>}>) : []) {
        const value = result?.partialFingerprints?.[FINGERPRINT_KEY]
        if (typeof value === 'string') fingerprints.add(value)
      }
    }

    return fingerprints
  }

  throw new Error('is neither a secrets scan --json report nor a SARIF log')
}
