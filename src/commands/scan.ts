import {Args, Errors, Flags} from '@oclif/core'

import {BaseCommand} from '../base-command.js'
import {countFindings, describeCounts, type FindingCounts} from '../core/audit/findings.js'
import {SEVERITIES, type Severity} from '../core/audit/severity.js'
import {ExitCode, FindingsError, UsageError} from '../core/errors.js'
import {escapeLine} from '../core/printable.js'
import {plural} from '../core/words.js'
import {type ScanFinding, scanFindingsAtOrAbove} from '../core/scan/findings.js'
import {toSarif} from '../core/scan/sarif.js'
import type {ScanReport} from '../services/scan.js'

interface ScanResult extends Omit<ScanReport, 'filesSeen' | 'findings'> {
  findings: Array<ScanFinding & {baselined?: true}>
  /** With --baseline: the report it read and how many of this run's findings it already had. */
  baseline?: {file: string; known: number}
  failOn: Severity
  /** True when --fail-on tripped (exit 7) or a template could not be parsed (exit 2). */
  failed: boolean
  counts: FindingCounts
  files: {seen: number; templates: number}
}

export default class Scan extends BaseCommand<ScanResult> {
  static override args = {path: Args.string({description: 'File or directory to scan (repeatable; default: .)'})}

  static override description = `Reads infrastructure templates, with no AWS call and no credentials, and reports every place where a secret would land in an environment variable, in Parameter Store, or behind IAM that reaches too many secrets, each with the \`secrets\` commands and the template change that fix it. audit's rules, with the same ids and severities, applied before deploy.

Reads AWS SAM, CloudFormation (YAML with !Ref, !Sub, ... or JSON), CDK output (cdk.out/*.template.json), Serverless Framework files (serverless.yml: provider and function environments, \${ssm:...}, \${env:...}, provider.iam), Terraform .tf files (read with HashiCorp's HCL parser: aws_lambda_function, aws_ecs_task_definition with jsonencode, aws_ssm_parameter, aws_iam_policy_document and inline policies), ECS task definition JSON files and committed .env files (a .env.example is reported only for a value with a real credential's shape), recognised by their content. Skips what git ignores, .git, node_modules and cdk.out (name cdk.out as a PATH to scan it after \`cdk synth\`). Never reported: a variable holding a secret's ARN or name, {{resolve:ssm:...}} configuration, numbers and flags under secret-sounding names, intrinsic references, placeholders, scoped policies, Deny statements. A finding names the file, line and column of the value and never prints the value.

Exit codes: 0 no finding at or above --fail-on, 7 findings at or above --fail-on (the report is printed first), 2 a template could not be parsed (the rest is still scanned) or invalid input, 1 unexpected, 74 output could not be written.`

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %>', description: 'Scan the repository in the working directory.'},
    {command: '<%= config.bin %> <%= command.id %> template.yaml infra/', description: 'Scan a template and a directory.'},
    {command: 'cdk synth && <%= config.bin %> <%= command.id %> cdk.out', description: 'Scan what CDK synthesized.'},
    {command: '<%= config.bin %> <%= command.id %> --fail-on medium --json > scan.json', description: 'In a pipeline: fail on medium or worse, keep the report.'},
    {command: '<%= config.bin %> <%= command.id %> --format sarif > scan.sarif', description: 'SARIF 2.1.0 for GitHub code scanning.'},
    {command: '<%= config.bin %> <%= command.id %> --baseline scan.json', description: 'Adopt the gate on a repository with findings: only new ones fail.'},
  ]

  static override flags = {
    'fail-on': Flags.string({description: 'Exit 7 when a finding of this severity or worse exists.', options: [...SEVERITIES], default: 'high'}),
    format: Flags.string({description: 'Output format (--json for the JSON report).', options: ['text', 'sarif'], default: 'text'}),
    baseline: Flags.string({description: 'A previous --json or SARIF report: only findings not in it fail the run.'}),
  }

  // Several paths: oclif's variadic arguments come through argv.
  static override strict = false
  static override summary = 'Find secrets in templates before they are deployed: environment variables, Parameter Store, IAM.'

  /** Set once the report is on stdout, so a failing exit does not print a second document. */
  private reported = false

  async run(): Promise<ScanResult> {
    const {argv, flags} = await this.parse(Scan)
    const paths = (argv as string[]).filter((path) => path.length > 0)
    if (paths.some((path) => path.startsWith('-'))) throw new UsageError(`Unknown flag: ${paths.find((path) => path.startsWith('-'))}.`)
    const failOn = flags['fail-on'] as Severity
    if (flags.format === 'sarif' && this.jsonEnabled()) throw new UsageError('--json and --format sarif are two documents: give one.')
    const [{runScan, readBaseline}, {scanManyForSecrets}] = await Promise.all([import('../services/scan.js'), import('../core/audit/secret-scan.js')])
    const known = flags.baseline === undefined ? undefined : await readBaseline(flags.baseline)
    const {filesSeen, ...report} = await runScan({paths, cwd: process.cwd(), scan: scanManyForSecrets})
    const findings = report.findings.map((item) => (known?.has(item.fingerprint) ? {...item, baselined: true as const} : item))
    const failing = scanFindingsAtOrAbove(
      findings.filter((item) => !('baselined' in item)),
      failOn,
    )
    const result: ScanResult = {
      ...report,
      findings,
      ...(known === undefined ? {} : {baseline: {file: flags.baseline!, known: findings.length - findings.filter((item) => !('baselined' in item)).length}}),
      failOn,
      failed: failing.length > 0 || report.unparsable.length > 0,
      counts: countFindings(report.findings),
      files: {seen: filesSeen, templates: report.templates.length},
    }
    const render = flags.format === 'sarif' ? (done: ScanResult) => sarifOf(done, this.config.version) : renderReport
    if (!result.failed) {
      if (!this.jsonEnabled()) this.log(render(result))
      return result
    }

    if (this.jsonEnabled()) this.logJson(result)
    else this.log(render(result))
    this.reported = true
    // Findings are the surer answer; a file that did not parse is named either way.
    if (failing.length > 0) throw new FindingsError(`${plural(failing.length, 'finding')} at or above ${failOn} (--fail-on ${failOn}).`, ExitCode.findings)
    throw new UsageError(`${plural(report.unparsable.length, 'template')} could not be parsed: ${report.unparsable.map((item) => item.file).join(', ')}.`)
  }

  override async catch(error: Error & {exitCode?: number}): Promise<never> {
    if (this.reported && (error instanceof FindingsError || error instanceof UsageError)) {
      if (!this.jsonEnabled()) process.stderr.write(`${escapeLine(error.message)}\n`)
      throw new Errors.ExitError(error.exitCode ?? ExitCode.unexpected)
    }

    return super.catch(error)
  }
}

function sarifOf(result: ScanResult, version: string): string {
  const log = toSarif(result.findings, {version, unparsable: result.unparsable}) as {runs: Array<{results: Array<Record<string, unknown>>}>}
  // SARIF's own words for a baseline: a result already in it is unchanged, the rest are new.
  if (result.baseline) for (const [index, item] of result.findings.entries()) log.runs[0].results[index].baselineState = 'baselined' in item ? 'unchanged' : 'new'
  return JSON.stringify(log, null, 2)
}

/** Findings grouped by file, each with its place, rule, reason and fix; then what was skipped; then a summary. */
function renderReport(result: ScanResult): string {
  const sections: string[] = []
  const byFile = new Map<string, ScanFinding[]>()
  for (const item of result.findings) byFile.set(item.file, [...(byFile.get(item.file) ?? []), item])
  for (const [file, findings] of byFile) {
    const format = result.templates.find((template) => template.file === file)?.format
    const lines = [`${escapeLine(file)}${format ? ` (${format})` : ''}`]
    for (const item of findings) {
      // Names in findings come from files anyone can commit: no raw terminal control gets through.
      const where = `${item.resource}${item.variable ? ` ${item.variable}` : ''}`
      const known = 'baselined' in item ? '  (in the baseline)' : ''
      lines.push(`  ${item.line}:${item.column}  ${item.severity.padEnd(6)}  ${item.rule}  ${escapeLine(where)}${known}`)
      lines.push(`      why:    ${escapeLine(item.reason)}`)
      if (item.fix.store) lines.push(`      store:  ${escapeLine(item.fix.store)}`)
      if (item.fix.grant) lines.push(`      grant:  ${escapeLine(item.fix.grant)}`)
      lines.push(`      change: ${escapeLine(item.fix.change)}`)
    }

    sections.push(lines.join('\n'))
  }

  if (result.unparsable.length > 0) {
    sections.push(
      `Could not be parsed (${result.unparsable.length}):\n${result.unparsable
        .map((item) => `  ${escapeLine(item.file)}${item.line === undefined ? '' : `:${item.line}`}: ${escapeLine(item.reason)}`)
        .join('\n')}`,
    )
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
