import {Args, Flags, type Interfaces} from '@oclif/core'

import {BaseCommand} from '../base-command.js'
import {exitCodesHelp} from '../core/exit-codes.js'
import {Scope} from '../core/address.js'
import {UsageError} from '../core/errors.js'
import {looksLikeArn, parseSecretRef} from '../core/secret-ref.js'
import {type CommandResult, succeeded} from '../core/outcome.js'
import {assertAccount, assertFunctionName, assertKmsKeyArn, assertPartition, assertRegion} from '../core/iam-policy.js'
import {DEFAULT_MANIFEST_FILE, resolveNeeds} from '../core/needs-manifest.js'
import {POLICY_FORMATS, type PolicyFormat, usesPseudoParameters} from '../core/policy-renderers.js'
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
} from '../services/grant.js'

type GrantFlags = Interfaces.InferredFlags<typeof Grant.flags & typeof Grant.baseFlags>

export default class Grant extends BaseCommand<GrantResult | CheckResult> {
  static override args = {
    scope: Args.string({description: 'ENV/SERVICE whose secrets the function reads, e.g. prod/api (or the full ARN of one secret outside the scheme)', ignoreStdin: true}),
  }

  static override description = `Prints the IAM policy a function needs to read its secrets, and nothing more: GetSecretValue (and DescribeSecret with --describe) on exactly the named secrets of one environment and one service, each matched as /<env>/<service>/<name>-?????? (the six random characters AWS appends, never a wildcard that would also match DB_PASS-OLD). Without --secret, the service's secrets only: /<env>/<service>/*. --kms-key-arn adds kms:Decrypt on those keys, only through Secrets Manager in the region.

Account and region come from --account and --region, then from the environment's account: and region: in secrets.yml, or else from STS (as the environment's role or profile) and the AWS configuration; the cloudformation and sam formats leave them to \${AWS::AccountId} and \${AWS::Region}. The document is the only thing on stdout, so "> policy.json" works.

A secret outside the naming scheme (RDS's rds!cluster-<uuid>) is granted by its full ARN in place of ENV/SERVICE, or with --id NAME (its ARN looked up with DescribeSecret): the policy names exactly that ARN, and --kms-key-arn adds kms:Decrypt via Secrets Manager in its region.

Declared needs: without ENV/SERVICE, reads ${DEFAULT_MANIFEST_FILE} (or --manifest FILE), which maps each function to the secrets it needs, and prints one policy per function for --env. --check verifies instead that every declared secret exists in that environment (exit 3 naming the missing ones).

${exitCodesHelp('grant')}`

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> prod/api --function checkout --secret DB_PASS --secret STRIPE_KEY > policy.json', description: 'A JSON policy for one function.'},
    {command: '<%= config.bin %> <%= command.id %> prod/api --function checkout --secret DB_PASS --format terraform', description: 'The same as an aws_iam_policy_document data source.'},
    {command: '<%= config.bin %> <%= command.id %> prod/api --function checkout --format sam', description: 'A SAM Policies: block for every secret of prod/api.'},
    {command: '<%= config.bin %> <%= command.id %> --env prod --format cloudformation', description: 'One policy per function declared in secrets.yml.'},
    {command: '<%= config.bin %> <%= command.id %> arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-0f1e2d3c-aaaa-bbbb-cccc-1234567890ab-AbC123 --function orders --kms-key-arn arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab', description: 'Exactly one RDS-managed secret, by its ARN, with its customer managed key.'},
    {command: '<%= config.bin %> <%= command.id %> --manifest deploy/secrets.yml --env prod --check', description: 'In CI: fail (exit 3) when a declared secret is missing.'},
  ]

  static override flags = {
    function: Flags.string({description: 'The function the policy is for (named in every Sid); with a manifest, only this function.'}),
    secret: Flags.string({description: 'A secret the function reads (repeatable); default: every secret of ENV/SERVICE.', multiple: true}),
    describe: Flags.boolean({description: 'Also allow secretsmanager:DescribeSecret on the same secrets.'}),
    'kms-key-arn': Flags.string({description: 'Customer managed KMS key the secrets are encrypted with (repeatable): adds kms:Decrypt via Secrets Manager.', multiple: true}),
    format: Flags.string({description: 'Output format.', options: [...POLICY_FORMATS], default: 'json'}),
    account: Flags.string({description: 'AWS account id (default: from STS GetCallerIdentity; CloudFormation/SAM: ${AWS::AccountId}).'}),
    partition: Flags.string({description: 'AWS partition (default: from the region, e.g. aws-cn for cn-*; CloudFormation/SAM: ${AWS::Partition}).'}),
    manifest: Flags.string({description: `Declared-needs file (default: ${DEFAULT_MANIFEST_FILE} when ENV/SERVICE is not given).`}),
    env: Flags.string({description: 'Environment to grant, with a manifest.'}),
    check: Flags.boolean({description: 'Check that every declared secret exists instead of printing a policy (exit 3 if not).'}),
    id: Flags.string({description: 'Grant exactly the secret with this name outside /<env>/<service>/<name> (e.g. rds!cluster-<uuid>); its ARN is looked up.'}),
  }

  static override summary = 'Print least-privilege IAM for a function to read its secrets (JSON, CloudFormation, SAM, Terraform, Serverless, CDK).'

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

    if (flags.check) return this.check(flags, request)
    const result = await grantPolicies(request, async () => placementSourceOf(await (await this.aws()).identityReader(context)))
    return succeeded(result, {stdout: result.output})
  }

  /** ARN or --id: a policy for exactly that one secret. */
  private async grantOutsideScheme(scopeArg: string | undefined, flags: GrantFlags): Promise<CommandResult<GrantResult>> {
    const request = await arnRequest(scopeArg, flags, async (id) => (await (await this.secretStore(flags)).describe(id)).arn ?? id)
    const result = grantSecretArn(request)
    return succeeded(result, {stdout: result.output})
  }

  /** --check: every declared secret exists in the environment (exit 3 naming the missing ones). */
  private async check(flags: GrantFlags, request: GrantRequest): Promise<CommandResult<CheckResult>> {
    const store = await this.secretStore(flags, request.scope.env)
    const addresses = request.functions.flatMap((fn) => fn.secrets)
    const result = await this.spin(`Checking ${addresses.length} secrets in ${request.scope.env}`, () => checkDeclaredSecrets(store, request.scope, addresses, request.keyed ? 'manifest' : 'flags'))
    return succeeded(result, {stdout: result.checked.map((name) => `exists ${name}\n`).join('')})
  }
}

/** `grant ARN` or `grant --id NAME`: exactly that one secret; --id is looked up (DescribeSecret) for its ARN. */
async function arnRequest(scopeArg: string | undefined, flags: GrantFlags, arnOf: (id: string) => Promise<string>): Promise<ArnGrantRequest> {
  for (const arn of flags['kms-key-arn'] ?? []) assertKmsKeyArn(arn)
  if (flags.function === undefined) throw new UsageError('Missing --function NAME: the function the policy is for.')
  assertFunctionName(flags.function)
  if (flags.secret !== undefined || flags.manifest !== undefined || flags.env !== undefined || flags.check) {
    throw new UsageError('A secret given by ARN or --id is granted alone: --secret, --manifest, --env and --check do not apply.')
  }

  const ref = parseSecretRef(scopeArg, undefined, flags.id)
  const arn = ref.kind === 'external' && ref.arn ? ref.arn.arn : await arnOf(ref.id)
  return {arn, functionName: flags.function, describe: flags.describe, kmsKeyArns: flags['kms-key-arn'] ?? [], format: flags.format as PolicyFormat}
}

/** Validates every name and flag, before anything is read from AWS. */
async function buildRequest(scopeArg: string | undefined, flags: GrantFlags): Promise<GrantRequest> {
  if (flags.account !== undefined) assertAccount(flags.account)
  if (flags.region !== undefined) assertRegion(flags.region)
  if (flags.partition !== undefined) assertPartition(flags.partition)
  for (const arn of flags['kms-key-arn'] ?? []) assertKmsKeyArn(arn)
  if (flags.function !== undefined) assertFunctionName(flags.function)
  const common = {
    describe: flags.describe,
    kmsKeyArns: flags['kms-key-arn'] ?? [],
    format: flags.format as PolicyFormat,
    partition: flags.partition,
    region: flags.region,
    account: flags.account,
  }

  if (scopeArg !== undefined) {
    if (flags.manifest !== undefined || flags.env !== undefined) {
      throw new UsageError('Give either ENV/SERVICE or --manifest/--env, not both.', 'The manifest names the service; --env names the environment.')
    }

    const scope = Scope.parse(scopeArg)
    if (flags.function === undefined) {
      throw new UsageError('Missing --function NAME: the function the policy is for.', `secrets grant ${scope.toString()} --function checkout --secret DB_PASS`)
    }

    const secrets = [...new Set(flags.secret ?? [])].map((name) => scope.secret(name))
    if (flags.check && secrets.length === 0) {
      throw new UsageError('--check needs the secrets to check: name them with --secret, or use a manifest.')
    }

    return {...common, scope, functions: [{functionName: flags.function, secrets}], keyed: false}
  }

  return manifestRequest(flags, common)
}

/** Without ENV/SERVICE: the functions and secrets declared for --env in the manifest. */
async function manifestRequest(flags: GrantFlags, common: Omit<GrantRequest, 'scope' | 'functions' | 'keyed'>): Promise<GrantRequest> {
  if (flags.secret !== undefined) {
    throw new UsageError('--secret is for ENV/SERVICE mode; with a manifest, the secrets come from the manifest.')
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
  let {functions} = needs
  if (flags.function !== undefined) {
    functions = functions.filter((fn) => fn.functionName === flags.function)
    if (functions.length === 0) {
      throw new UsageError(
        `${manifest.file} declares no function "${flags.function}".`,
        `Declared: ${needs.functions.map((fn) => fn.functionName).join(', ')}.`,
      )
    }
  }

  return {...common, scope: needs.scope, functions, keyed: true}
}
