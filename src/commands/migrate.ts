import {Flags, type Interfaces} from '@oclif/core'

import {BaseCommand, type Destination} from '../base-command.js'
import {exitCodesHelp} from '../core/exit-codes.js'
import {onConflictFlag, pricePerSecretFlag, quietFlag, verboseFlag} from '../flags.js'
import {partProblem, Scope} from '../core/address.js'
import {POLICY_FORMATS} from '../core/policy-renderers.js'
import {quoteArg} from '../core/audit/fixes.js'
import {decodeDotenv} from '../core/dotenv.js'
import {UsageError} from '../core/errors.js'
import {parseTags} from '../core/tags.js'
import {AWS_LIMITS, checkLimit, checkSsmPath, checkWriteMetadata} from '../core/aws-limits.js'
import {escapeLine} from '../core/printable.js'
import type {CommandResult} from '../core/outcome.js'
import type {ConflictPolicy, MigrationReport, MigrationSource} from '../services/migrate.js'
import type {SourceRequest} from '../services/migrate/sources/index.js'
import type {FunctionFilter} from '../stores/environment-source.js'
import {askToDelete, askToWrite, type MigrationFeedback, migrationFeedback, migrationResult, type PlanView, renderMigrationPlan, stoppingNote, streamingNote} from '../ui/render/migrate.js'
import {canPrompt} from '../ui/terminal.js'

const SOURCE_FLAGS = ['from-ssm', 'from-dotenv', 'from-lambda', 'from-ecs', 'all-functions']

type MigrateFlags = Interfaces.InferredFlags<typeof Migrate.flags & typeof Migrate.baseFlags>
type MigrateOptions = Parameters<typeof import('../services/migrate.js').migrate>[1]
type SourceModules = typeof import('../services/migrate/sources/index.js')

export default class Migrate extends BaseCommand<MigrationReport> {
  static override description = `Moves SSM Parameter Store parameters (String, StringList, SecureString), the entries of a .env file, or the secrets among a Lambda function's or an ECS task definition's environment variables into Secrets Manager. Every run first prints a plan: for each item create, update (the secret exists with another value), unchanged, collision (two sources, one secret: nothing is written), conflict (the secret is scheduled for deletion: nothing is written), unmapped, invalid or left (--secrets-only), with names and never values. --dry-run stops there.

Select what moves: --only NAME (repeatable, exact: a parameter's name below the path, e.g. SMTP_PASSWORD, or its full name; a .env key), --type SecureString|String|StringList (repeatable, SSM only), --secrets-only (what \`secrets audit\` would report as a secret; the plan says why each item was taken or left). Everything else is not touched. A path often holds configuration beside its secrets: select before you --delete-source.

Without --to, a parameter named /<env>/<service>/<name> becomes the secret of the same name and any other is listed as unmapped; with --to ENV/SERVICE, each parameter becomes ENV/SERVICE/<last path segment>. A .env key becomes ENV/SERVICE/<key>. A .env line that could hold a secret (a line of an unquoted multi-line PEM key) is shown by its line number only and never written.

--from-lambda FUNCTION and --from-ecs FAMILY (the latest ACTIVE revision, every container) need --to ENV/SERVICE: each variable the audit's rules call a secret becomes ENV/SERVICE/<VARIABLE>, the rest is left in place, and the plan says why for each; --only NAME (VARIABLE, or CONTAINER/VARIABLE for ECS) takes exactly the variables named. --all-functions (--prefix NAME_PREFIX, --tag KEY=VALUE) takes every Lambda function of the account and region with --to ENV: FUNCTION/VARIABLE becomes ENV/<service>/<VARIABLE>, the service being the function's name without its environment word (orders-api-prod is orders-api), as audit's fix names it. After the run, the command prints one \`secrets grant\` per workload for all of its migrated secrets (--format picks the template format) and the variables to remove from its template; for ECS, \`secrets grant --task FAMILY --runtime nodejs\`: the task role's policy and a module that reads the secrets at run time (a container's secrets, valueFrom, are the lesser step: ECS then sets each value as an environment variable of the container).

The workload is not modified, except by --remove-from-source (Lambda only): once every item verified, and after the question at a terminal naming the variables (default no; --yes or a pipeline decides), it re-reads the function, removes exactly the migrated variables, keeps every other variable and setting, and writes with the RevisionId it read; a function that changed in between is left as it is (exit 4). --from-ecs refuses it (exit 2): a task definition revision cannot be changed.

At a terminal the plan starts with the counts by state, then every row when they fit on the screen, else only the rows that need a look (update, conflict, collision, unmapped, invalid; --verbose shows every row); without --secrets-only it says how many of the items it writes the audit's rules call configuration, and suggests --secrets-only. It shows the estimated monthly cost of the secrets it creates (new secrets x (1 + replica regions) x the price per secret: the list price, 0.40 USD, or --price-per-secret, or pricePerSecret in secrets.yml; --json carries the figures), and it asks before the first write (default no: nothing is written, exit 130; --yes does not ask). A pipeline gets every row and no question.

Each write carries a deterministic ClientRequestToken, so a retried or repeated run never adds a duplicate version; new secrets are tagged with their source. Every written secret is read back (20 a call) and compared.

--delete-source (SSM only): the plan and the dry run list every parameter that would be deleted, with a count. At a terminal it asks before the first deletion (default no; --yes does not ask); in a pipeline the flag is the decision. A parameter is deleted only if, just before its deletion, it still holds the value that was migrated and its secret holds that value too: one that changed meanwhile is kept (exit 4). An interrupted run (Ctrl-C, kill, network loss) leaves every source in place: run the same command again to finish (at a terminal, Ctrl-C counts the items not written, which --verbose lists, and quotes that command).

Exits 0 when every item is created, updated, unchanged, left or skipped (--on-conflict skip did what was asked); 2 for collisions, unmapped or invalid items (or a bad .env); 3 for an --only name that is nowhere; 4 for conflicts under --on-conflict fail, a target scheduled for deletion, or a source (a function, with --remove-from-source) that changed during the run; 130 when you answer no to writing (nothing written) or when interrupted (143 for SIGTERM), after finishing the writes in flight.

${exitCodesHelp('migrate')}`

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> --from-ssm /prod/billing --dry-run', description: 'See the plan for /prod/billing/* without writing anything.'},
    {command: '<%= config.bin %> <%= command.id %> --from-ssm /prod/billing', description: 'Move parameters already named /<env>/<service>/<name>.'},
    {command: '<%= config.bin %> <%= command.id %> --from-ssm /prod/billing --to prod/billing --only SMTP_PASSWORD --delete-source', description: 'Move one parameter (what `secrets audit` prints as a fix); the rest of the path stays.'},
    {command: '<%= config.bin %> <%= command.id %> --from-ssm /legacy/billing-app --to prod/billing --secrets-only --dry-run', description: 'See which parameters the audit\'s rules call secrets, and why each is taken or left.'},
    {command: '<%= config.bin %> <%= command.id %> --from-ssm /legacy/billing-app --to prod/billing --type SecureString --delete-source --yes', description: 'Map deep paths by their last segment; only SecureStrings; delete each once verified, without asking.'},
    {command: '<%= config.bin %> <%= command.id %> --from-dotenv .env.production --to prod/api --json', description: 'A .env file, in a pipeline, with a JSON report.'},
    {command: '<%= config.bin %> <%= command.id %> --from-lambda billing-api --to prod/billing --format sam', description: "Move the secrets among a function's variables; print the SAM grant and what to remove from the template."},
    {command: '<%= config.bin %> <%= command.id %> --from-ecs billing-worker --to prod/billing --dry-run', description: 'See which environment entries of the latest revision are secrets, and why each is taken or left.'},
    {command: '<%= config.bin %> <%= command.id %> --from-lambda billing-api --to prod/billing --remove-from-source', description: 'No template: also take the migrated variables out of the live function once verified (asks first).'},
    {command: '<%= config.bin %> <%= command.id %> --all-functions --prefix prod- --to prod --dry-run', description: 'Every function named prod-*: prod-billing\'s secrets go to prod/billing/*, and so on.'},
  ]

  static override flags = {
    'from-ssm': Flags.string({
      description: 'Migrate every SSM parameter under this path, recursively (e.g. /prod/billing).',
      exactlyOne: SOURCE_FLAGS,
      helpGroup: 'SOURCE',
    }),
    'from-dotenv': Flags.string({
      description: 'Migrate the entries of this .env file (requires --to; the file is never modified).',
      exactlyOne: SOURCE_FLAGS,
      helpGroup: 'SOURCE',
    }),
    'from-lambda': Flags.string({
      description: "Migrate the secrets among this Lambda function's environment variables (requires --to; the function is never modified).",
      exactlyOne: SOURCE_FLAGS,
      helpGroup: 'SOURCE',
    }),
    'all-functions': Flags.boolean({
      description: 'Migrate the secrets among the environment variables of every Lambda function of the account and region, in one plan (requires --to ENV; filter with --prefix and --tag).',
      exactlyOne: SOURCE_FLAGS,
      helpGroup: 'SOURCE',
    }),
    prefix: Flags.string({description: 'With --all-functions: only functions whose name starts with this.', helpGroup: 'SELECT'}),
    tag: Flags.string({description: 'With --all-functions: only functions carrying this tag, KEY=VALUE (repeatable: all must match).', multiple: true, helpGroup: 'SELECT'}),
    'from-ecs': Flags.string({
      description: "Migrate the secrets among the environment entries of this task definition family's latest ACTIVE revision, every container (requires --to; never modified).",
      exactlyOne: SOURCE_FLAGS,
      helpGroup: 'SOURCE',
    }),
    to: Flags.string({description: 'Target ENV/SERVICE, e.g. prod/billing (required with --from-dotenv, --from-lambda and --from-ecs); with --all-functions, ENV alone.'}),
    format: Flags.string({description: 'Lambda and ECS: the template format of the printed grant command (passed to `secrets grant --format`).', options: [...POLICY_FORMATS]}),
    'dry-run': Flags.boolean({description: 'Print the plan and stop; nothing is written or deleted.'}),
    'on-conflict': onConflictFlag('When a secret exists with another value'),
    'kms-key-id': Flags.string({description: 'KMS key (id, ARN or alias) for new secrets.'}),
    description: Flags.string({description: 'Description for new secrets.'}),
    only: Flags.string({
      description: 'Take only this item (repeatable, exact): a parameter name below the path (SMTP_PASSWORD, db/PASSWORD) or a full name; a .env key.',
      multiple: true,
      helpGroup: 'SELECT',
    }),
    type: Flags.string({description: 'SSM only: take only parameters of this type (repeatable).', options: ['SecureString', 'String', 'StringList'], multiple: true, helpGroup: 'SELECT'}),
    'secrets-only': Flags.boolean({description: "Take only what `secrets audit` would report as a secret; the plan says why each item was taken or left.", helpGroup: 'SELECT'}),
    'delete-source': Flags.boolean({description: 'SSM only: delete each parameter once its secret verified equal (listed in the plan; asks first at a terminal).'}),
    'remove-from-source': Flags.boolean({
      description: "Lambda only: once every secret verified, remove the migrated variables from the function's environment, keeping every other variable and setting (listed in the plan; asks first at a terminal).",
    }),
    yes: Flags.boolean({char: 'y', description: 'At a terminal: do not ask before writing, nor (with --delete-source or --remove-from-source) before deleting. A pipeline never asks.'}),
    concurrency: Flags.integer({description: 'Writes in flight at once.', default: 8, min: 1, max: 64}),
    flatten: Flags.boolean({
      description: 'SSM only: name each secret after its segments below the path, joined with _ and upper-cased (queue/URL becomes QUEUE_URL), not after its last segment.',
    }),
    quiet: quietFlag('the summary line: no plan, progress, result table, recipe or hints'),
    verbose: verboseFlag,
    'price-per-secret': pricePerSecretFlag,
  }

  static override summary = 'Move SSM parameters, a .env file, or the secrets in a Lambda or ECS environment into Secrets Manager: planned, verified, resumable.'

  async run(): Promise<CommandResult<MigrationReport>> {
    const {flags} = await this.parse(Migrate)
    const sources = await import('../services/migrate/sources/index.js')
    const {to, toEnvironment} = targetsOf(flags, sources)
    checkRequests(flags, to)
    // The target environment (--to, or the first segment of /<env>/<service> paths) picks the account,
    // role, region, KMS key and replicas from secrets.yml, for the SSM source and the secrets alike.
    const env = to?.env ?? toEnvironment?.env ?? targetEnvOfPath(flags['from-ssm'])
    const source = await this.source(flags, env)
    const store = await this.secretStore(flags, env, {write: !flags['dry-run']})
    const destination = await this.destination(flags, env, to?.toString() ?? env ?? 'Secrets Manager')
    const [{migrate}, feedback] = await Promise.all([import('../services/migrate.js'), migrationFeedback(this.jsonEnabled() || flags.quiet)])
    // First Ctrl-C (or SIGTERM): stop starting writes, finish and verify those in flight, report. A
    // second one kills (the handlers are one-shot), which the note says, so a person knows it was heard.
    const controller = new AbortController()
    const release = this.onStop((signal) => {
      this.say(feedback, () => process.stderr.write(`${stoppingNote(signal, process.stderr.isTTY ? process.stderr.columns : undefined)}\n`))
      controller.abort(signal)
    })
    try {
      const view = planView(flags, [this.config.bin, this.id ?? 'migrate', ...this.argv])
      return migrationResult(await migrate(store, this.options(flags, {source, to, toEnvironment, feedback, signal: controller.signal, destination, view})), {...view, quiet: flags.quiet, json: this.jsonEnabled()})
    } finally {
      feedback.stop()
      release()
    }
  }

  /** What the service is asked to do, and the callbacks that show its plan and progress. */
  private options(
    flags: MigrateFlags,
    run: {source: MigrationSource; to?: Scope; toEnvironment?: {env: string}; feedback: MigrationFeedback; signal: AbortSignal; destination: Destination; view: PlanView},
  ): MigrateOptions {
    const {feedback} = run
    const asks = !flags.yes && canPrompt()
    const removing = Boolean(flags['delete-source'] || flags['remove-from-source'])
    return {
      source: run.source,
      to: run.to,
      ...(run.toEnvironment ? {toEnvironment: run.toEnvironment} : {}),
      dryRun: Boolean(flags['dry-run']),
      onConflict: flags['on-conflict'] as ConflictPolicy,
      kmsKeyId: flags['kms-key-id'],
      description: flags.description,
      deleteSource: removing,
      flatten: flags.flatten,
      // A person reading the plan at a terminal learns which items the audit's rules call configuration.
      select: {only: flags.only, types: flags.type, secretsOnly: flags['secrets-only'], judgeConfiguration: run.view.showCost && !flags.quiet && !this.jsonEnabled() && !flags['secrets-only']},
      // At a terminal, deleting sources (or removing variables) is asked for once, before the first
      // deletion; in a pipeline (no terminal) the flag itself is the decision, and --yes skips the question.
      // Only a source with a removal takes --delete-source or --remove-from-source (the others refused it above).
      ...(removing && asks && run.source.removal ? {confirmDeletion: askToDelete(run.source.removal, feedback)} : {}),
      // At a terminal, the first write waits for a yes (default no) after the plan; --yes and a pipeline do not ask.
      ...(asks ? {confirmWrites: (writes: number) => askToWrite(writes, run.destination.where, feedback)} : {}),
      pricing: run.destination.pricing,
      concurrency: flags.concurrency,
      ...(flags.format ? {recipeFormat: flags.format} : {}),
      signal: run.signal,
      // Nobody reads a plan before the writes in a pipeline (or with --json, --quiet): it may stream.
      streamPlan: !asks && (this.jsonEnabled() || Boolean(flags.quiet) || !process.stdout.isTTY),
      onPlanning: (planning) => {
        const {source} = run
        if (planning.mode === 'streamed' && source.paged && !flags.quiet) this.say(feedback, () => this.log(streamingNote(source.name)))
      },
      // A value read other than written (a .env value cut at #) is said even with --quiet; --json has it in the report.
      onWarning: (warning) => this.say(feedback, () => process.stderr.write(`Warning: ${escapeLine(warning)}\n`)),
      onPlan: (items, plan) => flags.quiet || this.say(feedback, () => this.log(renderMigrationPlan(items, Boolean(flags['dry-run']), {...plan, source: run.source}, run.view))),
      onProgress: (progress) => feedback.update(progress),
    }
  }

  /** Prints with the spinner off the terminal; nothing with --json. */
  private say(feedback: MigrationFeedback, print: () => void): void {
    if (this.jsonEnabled()) return
    feedback.pause()
    print()
    feedback.resume()
  }

  private async source(flags: MigrateFlags, env: string | undefined): Promise<MigrationSource> {
    const sources: SourceModules = await import('../services/migrate/sources/index.js')
    const file = flags['from-dotenv']
    if (file !== undefined) {
      const {readInputFile} = await import('../services/input-file.js')
      const bytes = await readInputFile(file, `--from-dotenv ${file}`)
      return sources.dotenvSource(file, decodeDotenv(bytes, file))
    }

    const workload = workloadOf(flags)
    if (workload !== undefined) {
      // The Lambda or ECS SDK is loaded only here; values go from its answer to Secrets Manager in memory.
      const {context} = await this.environment(flags, env)
      const write = Boolean(flags['remove-from-source']) && !flags['dry-run']
      const environment = await (await this.aws()).environmentSource(context, {...workload, write})
      return workload.kind === 'ecs' ? sources.ecsSource(environment) : sources.lambdaSource(environment)
    }

    const path = flags['from-ssm'] as string
    if (!path.startsWith('/')) {
      throw new UsageError(`--from-ssm ${path}: an SSM path starts with "/", as in /prod/billing.`)
    }

    // The SSM SDK is loaded only here, so `secrets --help` never pays for it.
    const aws = await this.aws()
    const {context} = await this.environment(flags, env)
    return sources.ssmSource(path.length > 1 ? path.replace(/\/+$/, '') : path, await aws.ssmSource(context))
  }
}

/**
 * At a terminal the plan and result keep what needs attention, fit its size, and name the command that
 * finishes an interrupted run; --verbose and a pipeline show every row.
 */
function planView(flags: MigrateFlags, command: readonly string[]): PlanView {
  if (!process.stdout.isTTY) return {compact: false, showCost: false}
  const {rows, columns} = process.stdout
  return {compact: !flags.verbose, showCost: true, ...(rows > 0 ? {rows} : {}), ...(columns > 0 ? {columns} : {}), rerun: command.map((word) => quoteArg(word)).join(' ')}
}

/**
 * Where the secrets go (--to, or --all-functions' environment), once the source refused the flags it
 * cannot take: usage errors, before any call, in the order each source module checks them.
 */
function targetsOf(flags: MigrateFlags, sources: SourceModules): {to?: Scope; toEnvironment?: {env: string}} {
  const request: SourceRequest = {to: flags.to, type: flags.type, deleteSource: Boolean(flags['delete-source']), removeFromSource: Boolean(flags['remove-from-source']), format: flags.format}
  if (flags['all-functions']) return {toEnvironment: sources.allFunctionsTarget(request)}
  if (flags.prefix !== undefined || flags.tag !== undefined) throw new UsageError('--prefix and --tag are for --all-functions: they pick which functions it takes.')
  const workload = workloadOf(flags)
  if (workload !== undefined) return {to: sources.workloadTarget(workload.flag, workload.name, request)}
  return {to: flags['from-dotenv'] === undefined ? sources.ssmTarget(request) : sources.dotenvTarget(request)}
}

/** What the flags put in requests, against AWS's limits: exit 2 before any call rather than a refusal mid-run. */
function checkRequests(flags: MigrateFlags, to: Scope | undefined): void {
  checkWriteMetadata({description: flags.description, kmsKeyId: flags['kms-key-id']})
  if (flags['from-lambda'] !== undefined) checkLimit(AWS_LIMITS.functionName, flags['from-lambda'], '--from-lambda')
  if (flags['from-ssm'] !== undefined) checkSsmPath(flags['from-ssm'], to === undefined)
}

/** `/prod/billing` -> `prod`: parameters named /<env>/<service>/<name> land in that environment. */
function targetEnvOfPath(path: string | undefined): string | undefined {
  const first = path?.split('/').find((part) => part.length > 0)
  return first && partProblem('environment', first) === undefined ? first : undefined
}


/** The Lambda function (or every function) or ECS family to migrate from, if that is the source. */
function workloadOf(flags: MigrateFlags): {kind: 'lambda' | 'ecs'; name: string; flag: string; all?: FunctionFilter} | undefined {
  if (flags['all-functions']) return {kind: 'lambda', name: 'every function', flag: '--all-functions', all: {prefix: flags.prefix, ...(flags.tag ? {tags: parseTags(flags.tag)} : {})}}
  if (flags['from-lambda'] !== undefined) return {kind: 'lambda', name: flags['from-lambda'], flag: '--from-lambda'}
  if (flags['from-ecs'] !== undefined) return {kind: 'ecs', name: flags['from-ecs'], flag: '--from-ecs'}
  return undefined
}
