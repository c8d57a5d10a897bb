import {Args} from '@oclif/core'

import {type AwsFlags, BaseCommand} from '../base-command.js'
import {quietFlag} from '../flags.js'
import {exitCodesHelp} from '../core/exit-codes.js'
import {Scope} from '../core/address.js'
import type {CommandResult} from '../core/outcome.js'
import type {DoctorEnvironmentsReport, DoctorReport} from '../services/doctor.js'
import {doctorEnvironmentsResult, doctorResult, renderEnvironment} from '../ui/render/doctor.js'

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

${exitCodesHelp('doctor')}`

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %>', description: 'Credentials, account, region, endpoints, and whether the services answer.'},
    {command: '<%= config.bin %> <%= command.id %> prod/api --profile deploy', description: 'Also check what the deploy profile may do on prod/api.'},
    {command: '<%= config.bin %> <%= command.id %> prod/api --json | jq \'.checks[] | select(.status == "fail")\'', description: 'In a pipeline: the failing checks as JSON.'},
  ]

  static override flags = {
    quiet: quietFlag('the problems and their fixes (nothing when all is well)'),
  }

  static override summary = 'Check credentials, account, region, endpoint and permissions, with a fix for each problem.'

  async run(): Promise<CommandResult<DoctorReport | DoctorEnvironmentsReport>> {
    const {args, flags} = await this.parse(Doctor)
    const scope = args.scope === undefined ? undefined : Scope.parse(args.scope)
    const project = scope === undefined ? await this.projectConfig(flags) : undefined
    if (project === undefined || project.environments.length === 0) return doctorResult(await this.check(flags, scope?.env, scope), flags.quiet)
    // Every environment of secrets.yml, one after the other, each with its own role, region and guard.
    const {checkEnvironments} = await import('../services/doctor.js')
    const names = project.environments.map((entry) => entry.name)
    const show = (env: string, report: DoctorReport) => {
      const text = renderEnvironment(env, project.file, report, flags.quiet)
      if (text) this.log(text)
    }

    return doctorEnvironmentsResult(await checkEnvironments(project.file, names, (env) => this.check(flags, env), show))
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
}
