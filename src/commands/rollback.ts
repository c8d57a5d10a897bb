import {Flags} from '@oclif/core'

import {addressArgs} from '../args.js'
import {BaseCommand} from '../base-command.js'
import {exitCodesHelp} from '../core/exit-codes.js'
import {yesFlag} from '../flags.js'
import {SecretAddress} from '../core/address.js'
import {InterruptedError} from '../core/errors.js'
import {type CommandResult, succeeded} from '../core/outcome.js'
import {escapeLine} from '../core/printable.js'
import {planRollback, rollback, type RollbackResult} from '../services/rollback.js'
import {confirmOrRequireYes} from '../ui/prompts.js'

export default class Rollback extends BaseCommand<RollbackResult> {
  static override args = addressArgs
  static override description = `Makes the previous version (AWSPREVIOUS, or --to-version ID) current again: one stage move, with no new version, and the version it leaves becomes AWSPREVIOUS, so a second rollback undoes the first. It is a compare-and-swap on AWSCURRENT: a write or rotation that lands between the read and the move is kept, and the rollback ends with exit 4. Asks on a terminal, showing both versions' dates; without one, --yes is required.

${exitCodesHelp('rollback')}`

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> prod/api DB_PASS', description: 'Shows the current and the previous version, asks, then makes the previous one current.'},
    {command: '<%= config.bin %> <%= command.id %> /prod/api/DB_PASS --yes --json', description: 'In a pipeline.'},
    {command: '<%= config.bin %> <%= command.id %> prod/api DB_PASS --to-version VERSION_ID', description: 'Back to a version that still has a stage (see secrets history).'},
  ]

  static override flags = {
    'to-version': Flags.string({description: 'The version to make current (a version id from secrets history); default: the one AWSPREVIOUS holds.'}),
    yes: yesFlag,
  }

  static override summary = 'Make the previous version of a secret current again.'

  async run(): Promise<CommandResult<RollbackResult>> {
    const {args, flags} = await this.parse(Rollback)
    const address = SecretAddress.fromArgs(args.scope, args.name)
    const store = await this.secretStore(flags, address.env, {write: true})
    // Read before the question: nobody is asked about a rollback that cannot be done.
    const plan = await this.spin(`Reading ${address}`, () => planRollback(store, address, flags['to-version']))
    const question = `Make the version of ${plan.to.createdDate ?? 'unknown date'} current again, in place of the version of ${plan.from.createdDate ?? 'unknown date'}?`
    if (!(await confirmOrRequireYes(question, flags.yes))) throw new InterruptedError('Cancelled; nothing was changed.')
    const result = await this.spin(`Rolling back ${address}`, () => rollback(store, plan))
    // Version ids come from AWS (or whatever answers at the endpoint): escaped like every other AWS string.
    return succeeded(result, {stdout: `rolled back ${result.name}: version ${escapeLine(result.to.versionId)} is current, ${escapeLine(result.from.versionId)} is AWSPREVIOUS\n`})
  }
}
