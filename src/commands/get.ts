import {Flags} from '@oclif/core'

import {addressArgs} from '../args.js'
import {type AwsFlags, BaseCommand, EXIT_CODES_HELP} from '../base-command.js'
import {Scope, SecretAddress} from '../core/address.js'
import {UsageError} from '../core/errors.js'
import {type CommandResult, succeeded} from '../core/outcome.js'
import {getAllSecrets, getSecret} from '../services/get.js'
import type {ReplicaStatus} from '../stores/secret-store.js'

type GetResult = {name: string; value: string; primaryRegion?: string; replication?: ReplicaStatus[]} | {scope: string; secrets: Record<string, string>}

export default class Get extends BaseCommand<GetResult> {
  static override args = addressArgs
  static override description = `Prints the value to stdout exactly as stored, byte for byte; a newline is added only when stdout is a terminal. Reads the AWSCURRENT version unless --version-stage or --version-id says otherwise.

With --all, prints every secret of ENV/SERVICE as one JSON object {"NAME": "value"}, read in batches of 20.

${EXIT_CODES_HELP}`

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> prod/api DB_PASS', description: 'Print the current value.'},
    {command: 'DB_PASS=$(<%= config.bin %> <%= command.id %> /prod/api/DB_PASS) && psql ...', description: 'In a script, into a local variable (not an exported one).'},
    {command: '<%= config.bin %> <%= command.id %> prod/api --all > /dev/shm/api.json', description: 'Every secret of the service as JSON.'},
    {command: '<%= config.bin %> <%= command.id %> prod/api DB_PASS --version-stage AWSPREVIOUS', description: 'The previous value.'},
  ]

  static override flags = {
    all: Flags.boolean({description: 'Every secret of ENV/SERVICE as one JSON object.', exclusive: ['version-stage', 'version-id']}),
    'version-stage': Flags.string({description: 'Read this stage instead of AWSCURRENT (e.g. AWSPREVIOUS).'}),
    'version-id': Flags.string({description: 'Read this version id.'}),
  }

  static override summary = 'Print a secret value (or every value of a service with --all).'

  async run(): Promise<CommandResult<GetResult>> {
    const {args, flags} = await this.parse(Get)
    if (flags.all) return this.all(flags, args)
    const address = SecretAddress.fromArgs(args.scope, args.name)
    const store = await this.secretStore(flags, address.env)
    // With --json, the replication status comes along (one DescribeSecret, read beside the value; a
    // denied describe only leaves it out, since the value is what was asked for).
    const [value, metadata] = await this.spin(`Reading ${address}`, () =>
      Promise.all([
        getSecret(store, address, {versionStage: flags['version-stage'], versionId: flags['version-id']}),
        this.jsonEnabled() ? store.describe(address.fullName).catch(() => undefined) : undefined,
      ]),
    )
    const json = {
      name: address.fullName,
      value: value.toJSONValue(),
      ...(metadata?.primaryRegion ? {primaryRegion: metadata.primaryRegion} : {}),
      ...(metadata?.replication ? {replication: metadata.replication} : {}),
    }
    // Byte for byte; a newline only for a person at a terminal.
    return succeeded(json, {stdout: value.bytes, newlineOnTerminal: true})
  }

  /** --all: every value of ENV/SERVICE as one JSON object, on stdout with or without --json. */
  private async all(flags: AwsFlags, args: {scope: string; name?: string}): Promise<CommandResult<GetResult>> {
    if (args.name !== undefined) throw new UsageError('--all reads a whole service: give ENV/SERVICE without a name.')
    const scope = Scope.parse(args.scope)
    const store = await this.secretStore(flags, scope.env)
    const values = await this.spin(`Reading ${scope.prefix}*`, () => getAllSecrets(store, scope))
    const secrets = Object.fromEntries([...values].map(([name, value]) => [name, value.toJSONValue()]))
    return succeeded({scope: scope.toString(), secrets}, {stdout: `${JSON.stringify(secrets, null, 2)}\n`})
  }
}
