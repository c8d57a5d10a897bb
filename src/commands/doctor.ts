import {Args, Flags, ux} from '@oclif/core'

import {type AwsFlags, BaseCommand, EXIT_CODES_HELP} from '../base-command.js'
import {Scope} from '../core/address.js'
import {ExitCode, type ExitCodeValue} from '../core/errors.js'
import {scopeArn} from '../core/iam-policy.js'
import type {Check, CheckStatus, DoctorReport} from '../services/doctor.js'
import {renderTable} from '../ui/table.js'

/** Without ENV/SERVICE and with environments in secrets.yml: one report per environment. */
export interface DoctorEnvironmentsReport {
  file: string
  environments: Array<{environment: string} & DoctorReport>
  ok: boolean
  exitCode: ExitCodeValue
}

export default class Doctor extends BaseCommand<DoctorReport | DoctorEnvironmentsReport> {
  static override args = {
    scope: Args.string({description: 'ENV/SERVICE whose operations to check, e.g. prod/api', ignoreStdin: true}),
  }

  static override description = `Checks the setup the other commands rely on and says how to fix each problem:
  - where the credentials come from (environment, profile, SSO, assumed role, web identity, container or instance), inferred from the environment, --profile and the shared config; never a credential, at most the last 4 characters of the access key id;
  - the account and ARN they act as (STS GetCallerIdentity), the region and the endpoint of each service;
  - whether Secrets Manager and SSM answer (one cheap read each; SSM is only needed by migrate --from-ssm, so a denial there is a warning);
  - with ENV/SERVICE: whether the reads the CLI needs are allowed (ListSecrets on the scope, then BatchGetSecretValue, GetSecretValue and DescribeSecret on one of its secrets; the value read is dropped). Doctor never writes: the write actions are listed with the policy they need, and a denied read is explained from AWS's error (no policy allows it, or an explicit deny in an identity, resource, permissions-boundary or service control policy).

With environments in secrets.yml: ENV/SERVICE is checked with its environment's role or profile, region and account guard; without ENV/SERVICE, every environment of the file is checked in turn.

Exits 0 when every check passes; otherwise with the exit code of the first failing check: 5 for missing, expired or denied credentials, 6 when AWS does not answer, 2 when no region is configured.

${EXIT_CODES_HELP}`

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %>', description: 'Credentials, account, region, endpoints, and whether the services answer.'},
    {command: '<%= config.bin %> <%= command.id %> prod/api --profile deploy', description: 'Also check what the deploy profile may do on prod/api.'},
    {command: '<%= config.bin %> <%= command.id %> prod/api --json | jq \'.checks[] | select(.status == "fail")\'', description: 'In a pipeline: the failing checks as JSON.'},
  ]

  static override flags = {
    quiet: Flags.boolean({char: 'q', description: 'Print only the problems and their fixes (nothing when all is well).'}),
  }

  static override summary = 'Check credentials, account, region, endpoint and permissions, with a fix for each problem.'

  async run(): Promise<DoctorReport | DoctorEnvironmentsReport> {
    const {args, flags} = await this.parse(Doctor)
    const scope = args.scope === undefined ? undefined : Scope.parse(args.scope)
    const project = scope === undefined ? await this.projectConfig(flags) : undefined
    if (project && project.environments.length > 0) return this.checkEnvironments(flags, project.file, project.environments.map((entry) => entry.name))
    const report = await this.check(flags, scope?.env, scope)
    const text = this.jsonEnabled() ? '' : renderDoctor(report, flags.quiet)
    if (text) this.log(text)
    process.exitCode = report.exitCode
    return report
  }

  private async check(flags: AwsFlags, env: string | undefined, scope?: Scope): Promise<DoctorReport> {
    const {context, entry} = await this.environment(flags, env)
    const [{runDoctor}, aws] = await Promise.all([import('../services/doctor.js'), this.aws()])
    const {probes, store} = await aws.doctorPorts(context)
    // A region from secrets.yml is reported as such, not as --region.
    const region = flags.region ?? (entry?.region ? undefined : context.region)
    return this.spin(`Checking${env ? ` ${env}` : ''}`, async () =>
      runDoctor({
        probes,
        store,
        credentialSource: await aws.credentialSource(process.env, flags.profile),
        flags: {profile: flags.profile, region, endpointUrl: flags['endpoint-url']},
        scope,
        ...(entry ? {environment: {name: entry.name, role: entry.role, region: entry.region, account: entry.account}} : {}),
      }),
    )
  }

  /** Every environment of secrets.yml, one after the other; the exit code is the first failing one's. */
  private async checkEnvironments(flags: AwsFlags & {quiet: boolean}, file: string, names: string[]): Promise<DoctorEnvironmentsReport> {
    const environments: DoctorEnvironmentsReport['environments'] = []
    for (const environment of names) {
      const report = await this.check(flags, environment)
      environments.push({environment, ...report})
      const text = this.jsonEnabled() ? '' : renderDoctor(report, flags.quiet)
      if (text) this.log(`== ${environment} (${file})\n${text}\n`)
    }

    const failed = environments.find((report) => !report.ok)
    process.exitCode = failed?.exitCode ?? ExitCode.ok
    return {file, environments, ok: failed === undefined, exitCode: failed?.exitCode ?? ExitCode.ok}
  }
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
