import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../base-command.js'
import {exitCodesHelp} from '../core/exit-codes.js'
import {SEVERITIES, type Severity} from '../core/audit/severity.js'
import {UsageError} from '../core/errors.js'
import type {CommandResult} from '../core/outcome.js'
import {type ScanResult, scanVerdict} from '../core/scan/verdict.js'
import {scanProgressLine, scanResult} from '../ui/render/scan.js'

export default class Scan extends BaseCommand<ScanResult> {
  static override args = {path: Args.string({description: 'File or directory to scan (repeatable; default: .)'})}

  static override description = `Reads infrastructure templates, with no AWS call and no credentials, and reports every place where a secret would land in an environment variable, in Parameter Store, or behind IAM that reaches too many secrets, each with the \`secrets\` commands and the template change that fix it. audit's rules, with the same ids and severities, applied before deploy.

Reads AWS SAM, CloudFormation (YAML with !Ref, !Sub, ... or JSON), CDK output (cdk.out/*.template.json), Serverless Framework files (serverless.yml: provider and function environments, \${ssm:...}, \${env:...}, \${file(...):KEY}, \${self:...} followed to what the file holds, nested variables, provider.iam), Terraform .tf files (read with HashiCorp's HCL parser: aws_lambda_function, aws_ecs_task_definition with jsonencode, aws_ssm_parameter, aws_iam_policy_document and inline policies), ECS task definition JSON files and committed .env files (a .env.example is reported only for a value with a real credential's shape), recognised by their content. Skips what git ignores (a file git tracks is always read), .git, node_modules and cdk.out (name cdk.out as a PATH to scan it after \`cdk synth\`), and names each vendored or build tree it passes over (vendor, site-packages, .aws-sam, .serverless, .terraform, ...; name one as a PATH to read it). A YAML or JSON file is parsed only when it has a template's top-level key. Reads only regular files inside the tree scanned: a symbolic link out of it, a FIFO or a device is named and skipped; a file too complex to read within scan's budget (over 400,000 YAML tokens, or an HCL parse past 8 s or 128 MB) is reported as not parsed (exit 2). Never reported: a variable holding a secret's ARN or name, {{resolve:ssm:...}} configuration, numbers and flags under secret-sounding names, intrinsic references that name a secret rather than carry it, placeholders as secret values (under a secret-sounding name a placeholder is the low env-secret-slot), scoped policies, Deny statements. A finding names the file, line and column of the value and never prints the value.

${exitCodesHelp('scan')}`

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %>', description: 'Scan the repository in the working directory.'},
    {command: '<%= config.bin %> <%= command.id %> template.yaml infra/', description: 'Scan a template and a directory.'},
    {command: 'cdk synth && <%= config.bin %> <%= command.id %> cdk.out', description: 'Scan what CDK synthesized.'},
    {command: '<%= config.bin %> <%= command.id %> --fail-on medium --json > scan.json', description: 'In a pipeline: fail on medium or worse, keep the report.'},
    {command: '<%= config.bin %> <%= command.id %> --format sarif > scan.sarif', description: 'SARIF 2.1.0 for GitHub code scanning.'},
    {command: '<%= config.bin %> <%= command.id %> --baseline scan.json', description: 'Adopt the gate on a repository with findings: only new ones fail.'},
    {command: '<%= config.bin %> <%= command.id %> --changed --fail-on medium', description: "A pull request's gate: only the templates the branch changed since it left the default branch."},
  ]

  static override flags = {
    'fail-on': Flags.string({description: 'Exit 7 when a finding of this severity or worse exists.', options: [...SEVERITIES], default: 'high'}),
    format: Flags.string({description: 'Output format (--json for the JSON report).', options: ['text', 'sarif'], default: 'text'}),
    baseline: Flags.string({description: 'A previous --json or SARIF report: only findings not in it fail the run.'}),
    changed: Flags.boolean({description: 'Scan only the files git says changed (committed since --since, in the work tree, or new), under the PATHs given.'}),
    since: Flags.string({description: 'With --changed: the ref to compare with, through its merge base with HEAD (default: the default branch, origin/HEAD, main or master).', dependsOn: ['changed']}),
  }

  // Several paths: oclif's variadic arguments come through argv.
  static override strict = false
  static override summary = 'Find secrets in templates before they are deployed: environment variables, Parameter Store, IAM.'

  protected override stoppedHint(): string {
    return 'Nothing was written; run the command again.'
  }

  async run(): Promise<CommandResult<ScanResult>> {
    const {argv, flags} = await this.parse(Scan)
    const paths = (argv as string[]).filter((path) => path.length > 0)
    const unknown = paths.find((path) => path.startsWith('-'))
    if (unknown) throw new UsageError(`Unknown flag: ${unknown}.`)
    if (flags.format === 'sarif' && this.jsonEnabled()) throw new UsageError('--json and --format sarif are two documents: give one.')
    const {runScan, readBaseline} = await import('../services/scan.js')
    const baseline = flags.baseline === undefined ? undefined : {file: flags.baseline, fingerprints: await readBaseline(flags.baseline)}
    const report = await this.progress(
      'Scanning',
      (update) => runScan({paths, cwd: process.cwd(), ...(flags.changed ? {changed: flags.since === undefined ? {} : {since: flags.since}} : {}), onProgress: (counts) => update(scanProgressLine(counts))}),
      {afterMs: 1000},
    )
    const verdict = scanVerdict({report, failOn: flags['fail-on'] as Severity, ...(baseline ? {baseline} : {})})
    return scanResult(verdict, flags.format === 'sarif' ? 'sarif' : 'text', this.config.version)
  }
}
