import {Flags} from '@oclif/core'

import {optionalArg} from '../args.js'

import {BaseCommand} from '../base-command.js'
import {exitCodesHelp} from '../core/exit-codes.js'
import {listingPrefix} from '../core/address.js'
import {type CommandResult, succeeded} from '../core/outcome.js'
import {escapeLine} from '../core/printable.js'
import {type ListedSecret, listEverySecret, listSecrets} from '../services/list.js'
import {formatDate, renderTable} from '../ui/table.js'

interface ListResult {
  prefix: string
  secrets: ListedSecret[]
  /** With no scope: the secrets outside /ENV/SERVICE/NAME (read with `get --id NAME`). */
  outside?: ListedSecret[]
}

export default class List extends BaseCommand<ListResult> {
  static override args = {
    scope: optionalArg('ENV or ENV/SERVICE to list (default: every secret, those outside /ENV/SERVICE/NAME apart)'),
  }

  static override description = `Lists names, last-changed dates and descriptions; values are never read. Listing prod/api shows exactly /prod/api/* (not /prod/api2/* nor /prod/API/*).

${exitCodesHelp('list')}`

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> prod/api', description: 'Secrets of one service.'},
    {command: '<%= config.bin %> <%= command.id %> prod --json | jq -r ".secrets[].name"', description: 'Every name in an environment, for a script.'},
    {command: '<%= config.bin %> <%= command.id %> prod/api --include-deleted', description: 'Also secrets scheduled for deletion.'},
  ]

  static override flags = {
    'include-deleted': Flags.boolean({description: 'Also show secrets scheduled for deletion.'}),
  }

  static override summary = 'List secrets (names and metadata, never values).'

  async run(): Promise<CommandResult<ListResult>> {
    const {args, flags} = await this.parse(List)
    const prefix = listingPrefix(args.scope)
    const env = prefix.split('/')[1] || undefined
    const store = await this.secretStore(flags, env)
    // With --json in an environment that replicates (secrets.yml replicaRegions), each secret's replicas too.
    const replication = this.jsonEnabled() && Boolean((await this.environment(flags, env)).entry?.replicaRegions)
    const options = {includeDeleted: flags['include-deleted'], replication}
    if (args.scope === undefined || prefix === '/') {
      const {secrets, outside} = await this.spin('Listing every secret', () => listEverySecret(store, options))
      if (secrets.length + outside.length === 0) return succeeded({prefix, secrets, outside}, {notice: 'No secrets in this account and region.'})
      const apart = outside.length === 0 ? '' : `${secrets.length > 0 ? '\n' : ''}${outsideHeading(outside.length)}\n${renderList(outside)}\n`
      return succeeded({prefix, secrets, outside}, {stdout: `${secrets.length > 0 ? `${renderList(secrets)}\n` : ''}${apart}`})
    }

    const secrets = await this.spin(`Listing ${prefix}`, () => listSecrets(store, prefix, options))
    return succeeded({prefix, secrets}, secrets.length === 0 ? {notice: `No secrets under ${prefix}.`} : {stdout: `${renderList(secrets)}\n`})
  }
}

function outsideHeading(count: number): string {
  return `${count} secret${count === 1 ? '' : 's'} outside the /ENV/SERVICE/NAME scheme (made by RDS, other services or tools; read one with "secrets get --id NAME"):`
}

/** AWS's DeletedDate is the day a scheduled secret goes: still to come, it is scheduled, not deleted. */
function deletionLabel(date: Date, now: Date): string {
  return date.getTime() > now.getTime() ? `scheduled for deletion on ${formatDate(date)}` : `deleted ${formatDate(date)}`
}

function renderList(secrets: ListedSecret[], now = new Date()): string {
  return renderTable(
    ['NAME', 'SHORT NAME', 'LAST CHANGED', 'DESCRIPTION'],
    // Names and descriptions come from AWS: whoever can write one must not drive the terminal.
    secrets.map((secret) => [
      secret.deletedDate ? `${escapeLine(secret.name)} (${deletionLabel(new Date(secret.deletedDate), now)})` : escapeLine(secret.name),
      escapeLine(secret.shortName),
      formatDate(secret.lastChanged ? new Date(secret.lastChanged) : undefined),
      escapeLine(secret.description ?? ''),
    ]),
  )
}
