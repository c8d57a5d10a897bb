import {readAddressArgs} from '../args.js'
import {BaseCommand} from '../base-command.js'
import {exitCodesHelp} from '../core/exit-codes.js'
import {type CommandResult, succeeded} from '../core/outcome.js'
import {flagsForRef, parseSecretRef} from '../core/secret-ref.js'
import {idFlag} from '../flags.js'
import {type HistoryEntry, secretHistory} from '../services/history.js'
import {formatDate, renderTable} from '../ui/table.js'

interface HistoryResult {
  name: string
  versions: HistoryEntry[]
}

export default class History extends BaseCommand<HistoryResult> {
  static override args = readAddressArgs
  static override description = `Lists the versions of a secret that carry a stage (AWSCURRENT, AWSPREVIOUS, ...), newest first, with their dates. Values are never read.

${exitCodesHelp('history')}`

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> prod/api DB_PASS', description: 'Versions as a table.'},
    {command: '<%= config.bin %> <%= command.id %> /prod/api/DB_PASS --json | jq -r ".versions[0].versionId"', description: 'In a pipeline.'},
    {command: "<%= config.bin %> <%= command.id %> --id 'rds!cluster-0f1e2d3c-aaaa-bbbb-cccc-1234567890ab'", description: 'A secret outside the naming scheme (RDS-managed), by its exact name.'},
  ]

  static override flags = {id: idFlag}

  static override summary = 'Show the versions of a secret (never values).'

  async run(): Promise<CommandResult<HistoryResult>> {
    const {args, flags} = await this.parse(History)
    const ref = parseSecretRef(args.scope, args.name, flags.id)
    const store = await this.secretStore(flagsForRef(flags, ref), ref.env)
    const versions = await this.spin(`Reading versions of ${ref.id}`, () => secretHistory(store, {fullName: ref.id}))
    const table = renderTable(
      ['VERSION ID', 'STAGES', 'CREATED'],
      versions.map((version) => [version.versionId, version.stages.join(','), formatDate(version.created ? new Date(version.created) : undefined)]),
    )
    return succeeded({name: ref.id, versions}, {stdout: `${table}\n`})
  }
}
