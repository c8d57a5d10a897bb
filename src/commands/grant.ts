import {Args, Flags, type Interfaces} from '@oclif/core'

import {BaseCommand} from '../base-command.js'
import {exitCodesHelp} from '../core/exit-codes.js'
import {Scope} from '../core/address.js'
import {UsageError} from '../core/errors.js'
import {escapeLine} from '../core/printable.js'
import {looksLikeArn, parseSecretRef} from '../core/secret-ref.js'
import {type CommandResult, succeeded} from '../core/outcome.js'
import {plural} from '../core/words.js'
import {assertAccount, assertFunctionName, assertKmsKeyArn, assertPartition, assertRegion, assertTaskFamily, functionNameProblem} from '../core/iam-policy.js'
import {DEFAULT_MANIFEST_FILE, resolveNeeds} from '../core/needs-manifest.js'
import {assertTaskFormat, POLICY_FORMATS, type PolicyFormat, TASK_FORMATS, usesPseudoParameters} from '../core/policy-renderers.js'
import {RUNTIMES, type Runtime, VIAS, type Via} from '../core/runtime-snippets.js'
import {DEFAULT_MAX_AGE, groupSpecs, MAX_MAX_AGE, ROTATION_OVERLAP_SECONDS} from '../core/runtime-wiring.js'
import {
  checkDeclaredSecrets,
  type CheckResult,
  type GrantRequest,
  type GrantResult,
  grantPolicies,
  grantSecretArn,
  type ArnGrantRequest,
  placementSourceOf,
  readNeedsManifest,
  rotationLookup,
} from '../services/grant.js'

type GrantFlags = Interfaces.InferredFlags<typeof Grant.flags & typeof Grant.baseFlags>

export default class Grant extends BaseCommand<GrantResult | CheckResult> {
  static override args = {
    scope: Args.string({description: 'ENV/SERVICE whose secrets the function reads, e.g. prod/api (or the full ARN of one secret outside the scheme)', ignoreStdin: true}),
  }

  static override description = `Prints the IAM policy a function needs to read its secrets, and nothing more: GetSecretValue (and DescribeSecret with --describe) on exactly the named secrets of one environment and one service, each matched as /<env>/<service>/<name>-?????? (the six random characters AWS appends, never a wildcard that would also match DB_PASS-OLD). Without --secret, the service's secrets only: /<env>/<service>/*. --kms-key-arn adds kms:Decrypt on those keys, only through Secrets Manager in the region.

Account and region come from --account and --region, then from the environment's account: and region: in secrets.yml, or else from STS (as the environment's role or profile) and the AWS configuration; the cloudformation and sam formats leave them to \${AWS::AccountId} and \${AWS::Region}. The document is the only thing on stdout, so "> policy.json" works.

A secret outside the naming scheme (RDS's rds!cluster-<uuid>) is granted by its full ARN in place of ENV/SERVICE, or with --id NAME (its ARN looked up with DescribeSecret): the policy names exactly that ARN, and --kms-key-arn adds kms:Decrypt via Secrets Manager in its region.

Run-time wiring: --runtime nodejs|python (or runtime: for a function in the manifest) adds, in the same format, the environment variables that name the function's secrets (DB_PASS_SECRET_ID: /prod/api/DB_PASS; names only, a secret's name is configuration) and, as a comment, a handler that reads them with Powertools for AWS Lambda's Parameters utility into local variables, cached for maxAge seconds. --secret NAME:FIELD reads one field of a key/value secret (transform json).

Caching against rotation: the handler caches each value for ${DEFAULT_MAX_AGE} s unless --max-age says otherwise (at most one GetSecretValue per secret every 5 minutes in each warm execution environment, and a rotated value reaches all of them within 5 minutes). With credentials, DescribeSecret tells whether each secret rotates, and the output warns (and says on stderr) when maxAge is longer than ${ROTATION_OVERLAP_SECONDS} s, the overlap a replaced value can be counted on to keep working; without credentials or offline, the output says rotation was not checked.

ECS tasks: --task FAMILY in place of --function prints the policy for the task definition family's task role (TaskRoleArn, the role the application's AWS calls run as; not the execution role), in ${TASK_FORMATS.join(', ')}. With --runtime, in place of a handler, a module the application imports that reads each secret with the AWS SDK on first use into local variables, cached for maxAge seconds and then read again, beside the container environment that names the secrets. This is the fix for a secret in a container's environment; a container's secrets (valueFrom) are the lesser step: ECS then puts the value in the container's environment itself, where anything that can read the process environment reads it. A manifest's tasks: section declares task families as functions: declares functions; with --env, --task FAMILY grants one of them.

Declared needs: without ENV/SERVICE, reads ${DEFAULT_MANIFEST_FILE} (or --manifest FILE), which maps each function to the secrets it needs, and prints one policy per function for --env. --check verifies instead that every declared secret exists in that environment (exit 3 naming the missing ones); with --template FILE, it also fails (exit 7) when a function's environment in that template still carries a value instead of a secret's name, by the same detection as "secrets scan".

${exitCodesHelp('grant')}`

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> prod/api --function checkout --secret DB_PASS --secret STRIPE_KEY > policy.json', description: 'A JSON policy for one function.'},
    {command: '<%= config.bin %> <%= command.id %> prod/api --function checkout --secret DB_PASS --format terraform', description: 'The same as an aws_iam_policy_document data source.'},
    {command: '<%= config.bin %> <%= command.id %> prod/api --function checkout --format sam', description: 'A SAM Policies: block for every secret of prod/api.'},
    {command: '<%= config.bin %> <%= command.id %> --env prod --format cloudformation', description: 'One policy per function declared in secrets.yml.'},
    {command: '<%= config.bin %> <%= command.id %> arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-0f1e2d3c-aaaa-bbbb-cccc-1234567890ab-AbC123 --function orders --kms-key-arn arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab', description: 'Exactly one RDS-managed secret, by its ARN, with its customer managed key.'},
    {command: '<%= config.bin %> <%= command.id %> --manifest deploy/secrets.yml --env prod --check', description: 'In CI: fail (exit 3) when a declared secret is missing.'},
    {command: '<%= config.bin %> <%= command.id %> --env prod --check --template template.yaml', description: "In CI: also fail (exit 7) while a function's environment still carries a value."},
    {command: '<%= config.bin %> <%= command.id %> prod/api --function checkout --secret DB_PASS --secret DB:password --runtime nodejs --format sam', description: 'The policy, the Environment.Variables that name the secrets, and a Node.js handler that reads them.'},
    {command: '<%= config.bin %> <%= command.id %> prod/api --function checkout --secret DB_PASS --runtime python --via extension --format terraform', description: 'The same through the AWS Parameters and Secrets Lambda Extension: its layer ARN as a variable, its TTL in the environment.'},
    {command: '<%= config.bin %> <%= command.id %> prod/web --task web-prod --secret DB_PASS --runtime nodejs --format cloudformation', description: "An ECS task: the policy on its task role, the container's environment that names the secret, and a module that reads it at run time."},
  ]

  static override flags = {
    function: Flags.string({description: 'The function the policy is for (named in every Sid); with a manifest, only this function.', exclusive: ['task']}),
    'function-key': Flags.string({description: "The function's key in the template when it is deployed under another name (serverless.yml deploys functions.KEY as SERVICE-STAGE-KEY): keys the serverless format's functions: block."}),
    task: Flags.string({description: "The ECS task definition family the policy is for, on its task role (named in every Sid); with --runtime, a module that reads the secrets in place of a handler.", exclusive: ['function', 'function-key']}),
    secret: Flags.string({description: 'A secret the function reads (repeatable); NAME:FIELD for a field of a key/value secret; default: every secret of ENV/SERVICE.', multiple: true}),
    describe: Flags.boolean({description: 'Also allow secretsmanager:DescribeSecret on the same secrets.'}),
    'kms-key-arn': Flags.string({description: 'Customer managed KMS key the secrets are encrypted with (repeatable): adds kms:Decrypt via Secrets Manager.', multiple: true}),
    format: Flags.string({description: 'Output format.', options: [...POLICY_FORMATS], default: 'json'}),
    account: Flags.string({description: 'AWS account id (default: from STS GetCallerIdentity; CloudFormation/SAM: ${AWS::AccountId}).'}),
    partition: Flags.string({description: 'AWS partition (default: from the region, e.g. aws-cn for cn-*; CloudFormation/SAM: ${AWS::Partition}).'}),
    manifest: Flags.string({description: `Declared-needs file (default: ${DEFAULT_MANIFEST_FILE} when ENV/SERVICE is not given).`}),
    env: Flags.string({description: 'Environment to grant, with a manifest.'}),
    check: Flags.boolean({description: 'Check that every declared secret exists instead of printing a policy (exit 3 if not).'}),
    template: Flags.string({description: "With --check: also fail (exit 7) when a function's environment in this template carries a value instead of a secret's name (scan's detection)."}),
    'max-age': Flags.integer({description: `With --runtime: how long the handler caches each value, in seconds (default ${DEFAULT_MAX_AGE}).`, min: 1, max: MAX_MAX_AGE}),
    via: Flags.string({description: "With --runtime: read through Powertools' Parameters library (default), or the AWS Parameters and Secrets Lambda Extension (a layer; no library; --max-age at most 300).", options: [...VIAS]}),
    runtime: Flags.string({description: "Also print the function's environment (secret names) and a handler that reads them, for this runtime.", options: [...RUNTIMES]}),
    id: Flags.string({description: 'Grant exactly the secret with this name outside /<env>/<service>/<name> (e.g. rds!cluster-<uuid>); its ARN is looked up.'}),
  }

  static override summary = 'Print least-privilege IAM for a function or an ECS task to read its secrets (JSON, CloudFormation, SAM, Terraform, Serverless, CDK).'

  async run(): Promise<CommandResult<GrantResult | CheckResult>> {
    const {args, flags: parsed} = await this.parse(Grant)
    if (looksLikeArn(args.scope) || parsed.id !== undefined) return this.grantOutsideScheme(args.scope, parsed)
    // A --manifest is the project file too: its environments: section places the policy.
    const flags = {...parsed, config: parsed.config ?? parsed.manifest}
    const request = await buildRequest(args.scope, flags)
    const {context, entry} = await this.environment(flags, request.scope.env)
    if (entry && !usesPseudoParameters(request.format)) {
      request.region ??= entry.region
      request.account ??= entry.account
    }

    if (flags.template !== undefined && !flags.check) throw new UsageError('--template is read by --check: add --check.')
    if (flags.check) return this.check(flags, request)
    const rotation = async (names: string[]) => rotationLookup(await this.secretStore(flags, request.scope.env))(names)
    const result = await grantPolicies(request, async () => placementSourceOf(await (await this.aws()).identityReader(context)), rotation)
    const warned = result.warnings?.length ?? 0
    const rotating = warned > 0 ? `Warning: ${warned === 1 ? result.warnings?.[0] : `${warned} secrets rotate and are cached longer than ${ROTATION_OVERLAP_SECONDS} s; see the output's comments.`}` : undefined
    // A task's policy is on its task role, not a function's: printed on its own, so the manifest's tasks are named rather than dropped.
    const tasks = request.tasksNotGranted ? `The manifest also declares ${plural(request.tasksNotGranted.length, 'ECS task')} (${request.tasksNotGranted.join(', ')}): grant each with --task FAMILY.` : undefined
    const notice = [rotating, tasks].filter(Boolean).join('\n') || undefined
    return succeeded(result, {stdout: result.output, ...(notice ? {notice} : {})})
  }

  /** ARN or --id: a policy for exactly that one secret. */
  private async grantOutsideScheme(scopeArg: string | undefined, flags: GrantFlags): Promise<CommandResult<GrantResult>> {
    const request = await arnRequest(scopeArg, flags, async (id) => (await (await this.secretStore(flags)).describe(id)).arn ?? id)
    const result = grantSecretArn(request)
    return succeeded(result, {stdout: result.output})
  }

  /** --check: every declared secret exists in the environment (exit 3 naming the missing ones). */
  private async check(flags: GrantFlags, request: GrantRequest): Promise<CommandResult<CheckResult>> {
    // The template first: it needs no credentials, so CI fails on a value before any AWS call.
    let template: CheckResult['template']
    if (flags.template !== undefined) {
      const [{checkTemplateEnvironment}, {scanManyForSecrets}] = await Promise.all([import('../services/grant-template.js'), import('../core/audit/secret-scan.js')])
      template = await checkTemplateEnvironment(flags.template, scanManyForSecrets)
    }

    const store = await this.secretStore(flags, request.scope.env)
    const addresses = request.functions.flatMap((fn) => fn.secrets)
    const checked = await this.spin(`Checking ${addresses.length} secrets in ${request.scope.env}`, () => checkDeclaredSecrets(store, request.scope, addresses, request.keyed ? 'manifest' : 'flags'))
    const result = {...checked, ...(template ? {template} : {})}
    const templateLine = template ? `no values in the environments of ${escapeLine(template.file)}\n` : ''
    return succeeded(result, {stdout: `${result.checked.map((name) => `exists ${name}\n`).join('')}${templateLine}`})
  }
}

/** `grant ARN` or `grant --id NAME`: exactly that one secret; --id is looked up (DescribeSecret) for its ARN. */
async function arnRequest(scopeArg: string | undefined, flags: GrantFlags, arnOf: (id: string) => Promise<string>): Promise<ArnGrantRequest> {
  for (const arn of flags['kms-key-arn'] ?? []) assertKmsKeyArn(arn)
  const target = workloadOf(flags)
  if (target === undefined) throw new UsageError('Missing --function NAME (or --task FAMILY): the function or ECS task the policy is for.')
  if (flags.secret !== undefined || flags.manifest !== undefined || flags.env !== undefined || flags.check) {
    throw new UsageError('A secret given by ARN or --id is granted alone: --secret, --manifest, --env and --check do not apply.')
  }

  if (flags.runtime !== undefined || flags['max-age'] !== undefined || flags.via !== undefined || flags.template !== undefined) {
    throw new UsageError('--runtime, --max-age, --via and --template are for secrets in the /<env>/<service>/<name> scheme; a secret given by ARN or --id gets its policy only.')
  }

  const ref = parseSecretRef(scopeArg, undefined, flags.id)
  const arn = ref.kind === 'external' && ref.arn ? ref.arn.arn : await arnOf(ref.id)
  const templateKey = flags['function-key'] === undefined ? {} : {templateKey: flags['function-key']}
  return {arn, functionName: target, ...templateKey, ...(flags.task === undefined ? {} : {task: true}), describe: flags.describe, kmsKeyArns: flags['kms-key-arn'] ?? [], format: flags.format as PolicyFormat}
}

/** --function NAME (and --function-key) or --task FAMILY (oclif refuses both), each checked by its own rule and the format by what it can hold. */
function workloadOf(flags: GrantFlags): string | undefined {
  if (flags.function !== undefined) assertFunctionName(flags.function)
  assertFunctionKey(flags['function-key'])
  if (flags.task !== undefined) {
    assertTaskFamily(flags.task)
    assertTaskFormat(flags.format as PolicyFormat)
  }

  return flags.function ?? flags.task
}

/** Validates every name and flag, before anything is read from AWS. */
async function buildRequest(scopeArg: string | undefined, flags: GrantFlags): Promise<ManifestGrant> {
  if (flags.account !== undefined) assertAccount(flags.account)
  if (flags.region !== undefined) assertRegion(flags.region)
  if (flags.partition !== undefined) assertPartition(flags.partition)
  for (const arn of flags['kms-key-arn'] ?? []) assertKmsKeyArn(arn)
  const target = workloadOf(flags)
  const runtime = flags.runtime as Runtime | undefined
  const common = {
    describe: flags.describe,
    kmsKeyArns: flags['kms-key-arn'] ?? [],
    format: flags.format as PolicyFormat,
    maxAge: flags['max-age'],
    via: flags.via as Via | undefined,
    partition: flags.partition,
    region: flags.region,
    account: flags.account,
  }

  if (scopeArg !== undefined) {
    if (flags.manifest !== undefined || flags.env !== undefined) {
      throw new UsageError('Give either ENV/SERVICE or --manifest/--env, not both.', 'The manifest names the service; --env names the environment.')
    }

    const scope = Scope.parse(scopeArg)
    if (target === undefined) {
      throw new UsageError('Missing --function NAME (or --task FAMILY): the function or ECS task the policy is for.', `secrets grant ${scope.toString()} --function checkout --secret DB_PASS`)
    }

    const specs = groupSpecs(flags.secret ?? [])
    const secrets = specs.map((spec) => scope.secret(spec.name))
    const fields = new Map(specs.map((spec, i) => [secrets[i].fullName, spec.fields]))
    if (flags.check && secrets.length === 0) {
      throw new UsageError('--check needs the secrets to check: name them with --secret, or use a manifest.')
    }

    const templateKey = flags['function-key'] === undefined ? {} : {templateKey: flags['function-key']}
    return {...common, scope, functions: [{functionName: target, ...templateKey, secrets, fields, ...(runtime ? {runtime} : {})}], keyed: false, ...(flags.task === undefined ? {} : {task: true})}
  }

  return manifestRequest(flags, common)
}

/** Without ENV/SERVICE: the functions and secrets declared for --env in the manifest. */
/** A request, with the task families a manifest declares beside the functions granted (given with --task). */
type ManifestGrant = GrantRequest & {tasksNotGranted?: string[]}

async function manifestRequest(flags: GrantFlags, common: Omit<GrantRequest, 'scope' | 'functions' | 'keyed'>): Promise<ManifestGrant> {
  if (flags.secret !== undefined) {
    throw new UsageError('--secret is for ENV/SERVICE mode; with a manifest, the secrets come from the manifest.')
  }

  if (flags['function-key'] !== undefined) {
    throw new UsageError('--function-key is for one function (ENV/SERVICE --function NAME); a manifest keys its functions by their names.')
  }

  if (flags.env === undefined) {
    throw new UsageError(
      flags.manifest === undefined ? 'Missing ENV/SERVICE (or --env ENV to use the declared needs in secrets.yml).' : 'Missing --env: which environment to grant.',
      'secrets grant prod/api --function checkout --secret DB_PASS, or secrets grant --env prod',
    )
  }

  // Found as the environments are: the nearest secrets.yml walking up from the working directory.
  const {findProjectFile} = await import('../services/project-config.js')
  const manifest = await readNeedsManifest(flags.manifest ?? (await findProjectFile(process.cwd())) ?? DEFAULT_MANIFEST_FILE)
  const needs = resolveNeeds(manifest, flags.env)
  // --check checks every declared secret; a policy is for functions or for tasks (their roles differ): --task picks tasks, and a manifest of tasks alone gives them.
  const tasks = !flags.check && (flags.task !== undefined || needs.functions.length === 0)
  if (tasks) assertTaskFormat(flags.format as PolicyFormat)
  const declared = flags.check ? [...needs.functions, ...needs.tasks] : tasks ? needs.tasks : needs.functions
  const wanted = flags.task ?? flags.function
  const selected = wanted === undefined ? declared : declared.filter((fn) => fn.functionName === wanted)
  if (selected.length === 0) {
    const kind = flags.task === undefined ? 'function' : 'task'
    throw new UsageError(`${manifest.file} declares no ${kind} "${wanted}".`, `Declared: ${declared.map((fn) => fn.functionName).join(', ') || 'none'}.`)
  }

  // --runtime is the default for the functions that do not name their own.
  const functions = selected.map((fn) => ({...fn, runtime: fn.runtime ?? (flags.runtime as Runtime | undefined)}))
  const tasksNotGranted = !tasks && !flags.check && flags.function === undefined ? needs.tasks.map((task) => task.functionName) : []
  return {...common, scope: needs.scope, functions, keyed: true, ...(tasks ? {task: true} : {}), ...(tasksNotGranted.length > 0 ? {tasksNotGranted} : {})}
}

/** A template's key for a function follows Lambda's rule for names too (serverless.yml's does). */
function assertFunctionKey(key: string | undefined): void {
  const problem = key === undefined ? undefined : functionNameProblem(key)
  if (problem) throw new UsageError(`Invalid --function-key: ${problem}.`)
}
