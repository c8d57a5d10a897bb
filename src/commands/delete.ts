import {Flags} from '@oclif/core'

import {addressArgs} from '../args.js'
import {BaseCommand} from '../base-command.js'
import {exitCodesHelp} from '../core/exit-codes.js'
import {yesFlag} from '../flags.js'
import {SecretAddress} from '../core/address.js'
import {InterruptedError} from '../core/errors.js'
import {type CommandResult, succeeded} from '../core/outcome.js'
import {checkDeletable, deleteSecret, type DeleteResult} from '../services/delete.js'
import {confirmOrRequireYes} from '../ui/prompts.js'

export default class Delete extends BaseCommand<DeleteResult> {
  static override args = addressArgs
  static override description = `Schedules the secret for deletion after a recovery window (7 to 30 days, default 30), during which \`secrets restore\` brings it back; --force deletes it at once, without recovery. Asks for confirmation on a terminal; without one, --yes is required.

${exitCodesHelp('delete')}`

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> staging/api OLD_TOKEN', description: 'Asks, then schedules deletion in 30 days.'},
    {command: '<%= config.bin %> <%= command.id %> /staging/api/OLD_TOKEN --recovery-days 7 --yes', description: 'In a pipeline.'},
  ]

  static override flags = {
    // A recovery window and no recovery contradict each other: refused before anything is asked.
    'recovery-days': Flags.integer({description: 'Days during which the deletion can be undone (not with --force).', min: 7, max: 30, default: 30, exclusive: ['force']}),
    force: Flags.boolean({description: 'Delete at once, without a recovery window (cannot be undone); also deletes a secret already scheduled for deletion now.', exclusive: ['recovery-days']}),
    yes: yesFlag,
  }

  static override summary = 'Schedule a secret for deletion (or delete it now with --force).'

  async run(): Promise<CommandResult<DeleteResult>> {
    const {args, flags} = await this.parse(Delete)
    const address = SecretAddress.fromArgs(args.scope, args.name)
    const store = await this.secretStore(flags, address.env, {write: true})
    // Checked before the question: nobody is asked to confirm what cannot be done.
    await this.spin(`Reading ${address}`, () => checkDeletable(store, address, {force: flags.force}))
    const what = flags.force
      ? `Delete ${address} now, with no way to recover it?`
      : `Delete ${address} (recoverable for ${flags['recovery-days']} days)?`
    if (!(await confirmOrRequireYes(what, flags.yes))) throw new InterruptedError('Cancelled; nothing was deleted.')
    const result = await this.spin(`Deleting ${address}`, () =>
      deleteSecret(store, address, {recoveryDays: flags['recovery-days'], force: flags.force}),
    )
    const done = result.outcome === 'deleted' ? `deleted ${result.name}` : `scheduled ${result.name} for deletion on ${result.deletionDate ?? '?'}; undo with: secrets restore ${result.name}`
    return succeeded(result, {stdout: `${done}\n`})
  }
}
