import {addressArgs} from '../args.js'
import {BaseCommand, EXIT_CODES_HELP} from '../base-command.js'
import {SecretAddress} from '../core/address.js'
import {type CommandResult, succeeded} from '../core/outcome.js'
import {type HistoryEntry, secretHistory} from '../services/history.js'
import {formatDate, renderTable} from '../ui/table.js'

interface HistoryResult {
  name: string
  versions: HistoryEntry[]
}

export default class History extends BaseCommand<HistoryResult> {
  static override args = addressArgs
  static override description = `Lists the versions of a secret that carry a stage (AWSCURRENT, AWSPREVIOUS, ...), newest first, with their dates. Values are never read.

${EXIT_CODES_HELP}`

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> prod/api DB_PASS', description: 'Versions as a table.'},
    {command: '<%= config.bin %> <%= command.id %> /prod/api/DB_PASS --json | jq -r ".versions[0].versionId"', description: 'In a pipeline.'},
  ]

  static override summary = 'Show the versions of a secret (never values).'

  async run(): Promise<CommandResult<HistoryResult>> {
    const {args, flags} = await this.parse(History)
    const address = SecretAddress.fromArgs(args.scope, args.name)
    const store = await this.secretStore(flags, address.env)
    const versions = await this.spin(`Reading versions of ${address}`, () => secretHistory(store, address))
    const table = renderTable(
      ['VERSION ID', 'STAGES', 'CREATED'],
      versions.map((version) => [version.versionId, version.stages.join(','), formatDate(version.created ? new Date(version.created) : undefined)]),
    )
    return succeeded({name: address.fullName, versions}, {stdout: `${table}\n`})
  }
}
