/** Text and SARIF of `secrets scan`: findings grouped by file, what could not be parsed or was skipped, a summary. */
import {describeCounts} from '../../core/audit/findings.js'
import {cfnYaml} from '../../core/cfn-yaml.js'
import type {CommandResult} from '../../core/outcome.js'
import {escapeLine} from '../../core/printable.js'
import type {ScanFinding} from '../../core/scan/findings.js'
import {toSarif} from '../../core/scan/sarif.js'
import type {ScanResult} from '../../core/scan/verdict.js'
import type {Verdict} from '../../core/verdicts.js'
import {plural} from '../../core/words.js'

/** The report (the --json document, the text or SARIF), with the verdict's exit code and reason. */
export function scanResult(verdict: {result: ScanResult} & Verdict, format: 'text' | 'sarif', version: string): CommandResult<ScanResult> {
  const {result, exitCode, reason} = verdict
  const stdout = format === 'sarif' ? `${renderSarif(result, version)}\n` : `${renderScan(result)}\n`
  return {json: result, stdout, exitCode, ...(reason ? {notice: reason} : {})}
}

/** SARIF 2.1.0; with a baseline, each result says whether it is new (SARIF's own baselineState). */
export function renderSarif(result: ScanResult, version: string): string {
  const log = toSarif(result.findings, {version, unparsable: result.unparsable}) as {runs: Array<{results: Array<Record<string, unknown>>}>}
  if (result.baseline) for (const [index, item] of result.findings.entries()) log.runs[0].results[index].baselineState = 'baselined' in item ? 'unchanged' : 'new'
  return JSON.stringify(log, null, 2)
}

/** An edit's value as the template's own YAML, indented under its path; JSON if YAML cannot carry it inertly. */
function editLines(value: unknown): string[] {
  let text: string
  try {
    text = cfnYaml(value)
  } catch {
    text = JSON.stringify(value, null, 2)
  }

  return text.trimEnd().split('\n').map((line) => `              ${escapeLine(line)}`)
}

export function renderScan(result: ScanResult): string {
  const sections: string[] = []
  const byFile = new Map<string, Array<ScanFinding & {baselined?: true}>>()
  for (const item of result.findings) byFile.set(item.file, [...(byFile.get(item.file) ?? []), item])
  for (const [file, findings] of byFile) {
    const format = result.templates.find((template) => template.file === file)?.format
    const lines = [`${escapeLine(file)}${format ? ` (${format})` : ''}`]
    for (const item of findings) {
      // Names in findings come from files anyone can commit: no raw terminal control gets through.
      const where = `${item.resource}${item.variable ? ` ${item.variable}` : ''}`
      const known = 'baselined' in item ? '  (in the baseline)' : ''
      lines.push(`  ${item.line}:${item.column}  ${item.severity.padEnd(6)}  ${item.rule}  ${escapeLine(where)}${known}`, `      why:    ${escapeLine(item.reason)}`)
      if (item.fix.store) lines.push(`      store:  ${escapeLine(item.fix.store)}`)
      if (item.fix.grant) lines.push(`      grant:  ${escapeLine(item.fix.grant)}`)
      lines.push(`      change: ${escapeLine(item.fix.change)}`)
      for (const edit of item.fix.edits ?? []) {
        if ('at' in edit) lines.push(`      set:    ${escapeLine(edit.at.join('.'))} to`, ...editLines(edit.value))
        else lines.push(`      lines:  ${edit.lines.from}-${edit.lines.to} become`, ...edit.text.split('\n').map((line) => `              ${escapeLine(line)}`))
      }
    }

    sections.push(lines.join('\n'))
  }

  if (result.unparsable.length > 0) {
    const items = result.unparsable.map((item) => `  ${escapeLine(item.file)}${item.line === undefined ? '' : `:${item.line}`}: ${escapeLine(item.reason)}`)
    sections.push(`Could not be parsed (${result.unparsable.length}):\n${items.join('\n')}`)
  }

  if (result.skipped.length > 0) {
    sections.push(`Skipped (${result.skipped.length}):\n${result.skipped.map((item) => `  ${escapeLine(item.file)}: ${escapeLine(item.reason)}`).join('\n')}`)
  }

  const total = result.counts.total
  const verdict = total === 0 ? 'No findings' : `${plural(total, 'finding')} (${describeCounts(result.counts)})`
  const baseline = result.baseline ? ` ${result.baseline.known} of them in the baseline ${escapeLine(result.baseline.file)}.` : ''
  sections.push(`${verdict} in ${plural(result.files.templates, 'template')} of ${plural(result.files.seen, 'file')} scanned.${baseline}`)
  return sections.join('\n\n')
}

/** The progress line of a scan at a terminal: files the walk has seen, templates it has read. */
export function scanProgressLine(progress: {filesSeen: number; templates: number}): string {
  return `Scanning: ${plural(progress.filesSeen, 'file')} seen, ${plural(progress.templates, 'template')} read`
}
