import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../base-command.js'
import {exitCodesHelp} from '../core/exit-codes.js'
import {onConflictFlag, pricePerSecretFlag, quietFlag, verboseFlag, yesFlag} from '../flags.js'
import {Scope} from '../core/address.js'
import {InterruptedError} from '../core/errors.js'
import type {CommandResult} from '../core/outcome.js'
import type {ConflictPolicy, PromoteReport} from '../services/promote.js'
import {promotionResult, renderPromotionPlan} from '../ui/render/promote.js'
import {confirmOrRequireYes} from '../ui/prompts.js'

export default class Promote extends BaseCommand<PromoteReport> {
  static override args = {
    from: Args.string({description: 'ENV/SERVICE to copy from, e.g. staging/api', required: true, ignoreStdin: true}),
    to: Args.string({description: 'ENV/SERVICE to copy to, e.g. prod/api', required: true, ignoreStdin: true}),
  }

  static override description = `Copies the current value of each secret of FROM (or only the --secret names) to the same name in TO, when it is new or changed. Every run first prints a plan, with names and never values: create (not in TO yet), update (TO holds another value), unchanged, missing-source (a --secret that FROM does not have) or conflict (the secret in TO is scheduled for deletion). --dry-run stops there.

Nothing is written when the plan has a problem: a missing --secret (exit 3), a target scheduled for deletion (exit 4; run secrets restore first), or an update under --on-conflict fail, the default (exit 4). Values often differ between environments on purpose: promote only what should travel with --secret NAME, or use --on-conflict skip to copy new secrets and leave differing ones as they are (exit 0: skipping is what was asked). --on-conflict overwrite replaces TO's differing values with FROM's (the old value stays as AWSPREVIOUS).

Asks for confirmation on a terminal; without one, --yes is required. At a terminal the plan is a summary (counts by state, only the rows that need a look; --verbose shows every row) with the estimated monthly cost of the secrets it creates in TO (its replica regions, and the price per secret: list price 0.40 USD, --price-per-secret, or pricePerSecret in secrets.yml). Each write carries a deterministic ClientRequestToken, so a retried or repeated run never adds a duplicate version; every written secret is read back (20 a call) and compared. New secrets get the source's description and a ${'`secrets:promoted-from`'} tag; the KMS key is not copied (TO's kmsKeyId and replicaRegions in secrets.yml apply). FROM is read and TO written each with its own environment's account, role and region from secrets.yml.

${exitCodesHelp('promote')}`

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> staging/api prod/api --dry-run', description: 'See what would be copied.'},
    {command: '<%= config.bin %> <%= command.id %> staging/api prod/api --secret FEATURE_KEY', description: 'Copy one new secret, after confirming.'},
    {command: '<%= config.bin %> <%= command.id %> staging/api prod/api --on-conflict skip --yes --json', description: 'In a pipeline: copy new secrets, leave the ones prod holds differently; exit 0.'},
  ]

  static override flags = {
    secret: Flags.string({description: 'Promote only this secret (repeatable); default: every secret of FROM.', multiple: true}),
    'dry-run': Flags.boolean({description: 'Print the plan and stop; nothing is written.'}),
    'on-conflict': onConflictFlag('When TO holds another value'),
    yes: yesFlag,
    quiet: quietFlag('the summary line: no plan, result table or hints'),
    verbose: verboseFlag,
    'price-per-secret': pricePerSecretFlag,
  }

  static override summary = 'Copy new or changed secrets from one environment to another: planned, confirmed, verified.'

  async run(): Promise<CommandResult<PromoteReport>> {
    const {args, flags} = await this.parse(Promote)
    const from = Scope.parse(args.from)
    const to = Scope.parse(args.to)
    const dryRun = Boolean(flags['dry-run'])
    // Read FROM with its environment's account and region, write TO with its own (secrets.yml); the
    // target's account guard runs before anything is planned for writing.
    const [source, target] = await Promise.all([this.secretStore(flags, from.env), this.secretStore(flags, to.env, {write: !dryRun})])
    const destination = await this.destination(flags, to.env, to.toString())
    const {preparePromotion} = await import('../services/promote.js')
    const options = {from, to, secrets: flags.secret, onConflict: flags['on-conflict'] as ConflictPolicy, pricing: destination.pricing}
    const prepared = await this.spin(`Planning ${from} -> ${to}`, () => preparePromotion({source, target}, options))
    const plan = prepared.planned(dryRun)
    // At a terminal the plan and result keep what needs attention; --verbose and a pipeline show every row.
    const terminal = Boolean(process.stdout.isTTY)
    const compact = terminal && !flags.verbose
    const size = terminal ? {rows: process.stdout.rows, columns: process.stdout.columns} : {}
    if (!flags.quiet) this.log(renderPromotionPlan(plan, {compact, showCost: terminal, ...size}))
    if (dryRun || prepared.blocked || prepared.toWrite === 0) return promotionResult(plan, {quiet: flags.quiet, executed: false, compact})
    // The plan above is the question's context: a "no" is an error (exit 130, nothing written), not a report.
    const question = `Copy ${prepared.toWrite} secret${prepared.toWrite === 1 ? '' : 's'} from ${from} to ${destination.where}?`
    if (!(await confirmOrRequireYes(question, flags.yes))) throw new InterruptedError('Cancelled; nothing was written.')
    const report = await this.spin(`Promoting ${prepared.toWrite} secrets to ${to}`, () => prepared.execute())
    return promotionResult(report, {quiet: flags.quiet, executed: true, compact})
  }
}
