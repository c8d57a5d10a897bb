import {addressArgs} from '../args.js'
import {BaseCommand} from '../base-command.js'
import {exitCodesHelp} from '../core/exit-codes.js'
import {SecretAddress} from '../core/address.js'
import {type CommandResult, succeeded} from '../core/outcome.js'
import {restoreSecret} from '../services/delete.js'

export default class Restore extends BaseCommand<{name: string; outcome: 'restored'}> {
  static override args = addressArgs
  static override description = `Cancels a scheduled deletion; the secret and all its versions come back as they were.

${exitCodesHelp('restore')}`

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> staging/api OLD_TOKEN', description: 'Bring it back.'},
    {command: '<%= config.bin %> <%= command.id %> /staging/api/OLD_TOKEN --json', description: 'In a pipeline.'},
  ]

  static override summary = 'Cancel the scheduled deletion of a secret.'

  async run(): Promise<CommandResult<{name: string; outcome: 'restored'}>> {
    const {args, flags} = await this.parse(Restore)
    const address = SecretAddress.fromArgs(args.scope, args.name)
    const store = await this.secretStore(flags, address.env, {write: true})
    const result = await this.spin(`Restoring ${address}`, () => restoreSecret(store, address))
    return succeeded(result, {stdout: `restored ${result.name}\n`})
  }
}
