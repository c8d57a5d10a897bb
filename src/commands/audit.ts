import {Flags} from '@oclif/core'

import {BaseCommand} from '../base-command.js'
import {quietFlag} from '../flags.js'
import {exitCodesHelp} from '../core/exit-codes.js'
import {partProblem} from '../core/address.js'
import {AUDIT_AREAS} from '../core/audit/findings.js'
import {SEVERITIES, type Severity} from '../core/audit/severity.js'
import {UsageError} from '../core/errors.js'
import type {ProjectFile} from '../core/needs-manifest.js'
import type {CommandResult} from '../core/outcome.js'
import {type AuditResult, auditVerdict} from '../core/verdicts.js'
import type {AuditInspected} from '../services/audit.js'
import {auditResult} from '../ui/render/audit.js'

export default class Audit extends BaseCommand<AuditResult<AuditInspected>> {
  static override description = `Read-only. Looks at a live account for the three ways secrets leak, and says for each finding which \`secrets\` command fixes it:

  env  Lambda environment variables and ECS task definition \`environment\` entries (latest active revision) whose value looks like a credential (secretlint's recommended rules) or whose name says secret (PASSWORD, TOKEN, API_KEY, ...) while the value is not a reference (ARN, {{resolve:...}}, /env/service/name) or a flag.
  ssm  String and StringList parameters that hold a secret (high: unencrypted) and SecureString parameters (medium: Secrets Manager rotates and scales for run-time reads).
  iam  Customer-managed policies, the inline policies of roles, users and groups, and the AWS managed policies attached to them (AmazonSSMReadOnlyAccess, ReadOnlyAccess, ...) that let their holder read every secret or SecureString parameter (ssm:GetParameter* counts), a whole environment (/prod/*, parameter/prod/*) or several environments, and roles whose policies together span environments.

No finding ever contains a value. An API you may not call is reported as a coverage gap and the rest still runs.

Each fix is safe to run as printed: it touches exactly the items of its finding. A parameter's fix moves that one parameter (\`secrets migrate --from-ssm /prod/billing --to prod/billing --only SMTP_PASSWORD --delete-source\`), never the configuration beside it; it deletes the parameter only once its secret verified, and asks first at a terminal. A fix with a placeholder (ENV, SERVICE) deletes nothing.

With --fail-on, exits 7 when a finding at or above that severity exists (the report is still printed); without it, findings do not change the exit code.

${exitCodesHelp('audit')}`

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
    quiet: quietFlag('the summary line (and, on exit 7, why): no tables'),
  }

  static override summary = 'Find secrets in environment variables and Parameter Store, and IAM that reads too many secrets.'

  async run(): Promise<CommandResult<AuditResult<AuditInspected>>> {
    const {flags} = await this.parse(Audit)
    const areas = AUDIT_AREAS.filter((area) => !flags.only || flags.only.includes(area))
    const problem = flags.env === undefined ? undefined : partProblem('environment', flags.env)
    if (problem) throw new UsageError(`Invalid --env: ${problem}.`)
    const [{runAudit, nothingInspected, AUDIT_ACTIONS}, aws, {context, entry}] = await Promise.all([import('../services/audit.js'), this.aws(), this.environment(flags, flags.env)])
    if (flags.env !== undefined && entry === undefined) throw undeclaredEnvironment(flags.env, await this.projectConfig(flags))
    const {readers, region} = await aws.auditReaders(context, areas)
    const report = await this.progress(`Auditing ${areas.join(', ')}`, (onProgress) => runAudit(readers, {areas, onProgress}))
    const failOn = flags['fail-on'] as Severity | undefined
    return auditResult(auditVerdict({report, failOn, region: await region(), nothingInspected: nothingInspected(report), actions: AUDIT_ACTIONS}), {quiet: flags.quiet})
  }
}

/**
 * --env only chooses an account and region from secrets.yml: an environment the file does not
 * declare (or no file at all) would audit the credentials' defaults while the report seemed to be
 * about that environment, so it is refused.
 */
function undeclaredEnvironment(env: string, project: ProjectFile | undefined): UsageError {
  const declared = project?.environments.map((candidate) => candidate.name) ?? []
  const where =
    project === undefined
      ? 'no secrets.yml was found (here or above, or --config FILE)'
      : declared.length === 0
        ? `${project.file} declares no environments`
        : `${project.file} declares ${declared.join(', ')}`
  return new UsageError(
    `--env ${env} names no environment of secrets.yml: ${where}; nothing was audited.`,
    `Declare ${env} under environments: in secrets.yml, or leave out --env to audit the account and region of your credentials (--profile, --region).`,
  )
}
