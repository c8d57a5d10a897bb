import {Flags} from '@oclif/core'

import {readAddressArgs} from '../args.js'
import {type AwsFlags, BaseCommand} from '../base-command.js'
import {checkVersionSelector} from '../core/aws-limits.js'
import {exitCodesHelp} from '../core/exit-codes.js'
import {Scope} from '../core/address.js'
import {UsageError} from '../core/errors.js'
import {fieldText} from '../core/json-fields.js'
import {type CommandResult, succeeded} from '../core/outcome.js'
import {flagsForRef, parseSecretRef, type SecretRef} from '../core/secret-ref.js'
import {idFlag} from '../flags.js'
import {readFields} from '../services/fields.js'
import {getAllSecrets, getSecret} from '../services/get.js'
import type {ReadOptions, ReplicaStatus, SecretStore} from '../stores/secret-store.js'

type GetResult =
  | {name: string; value: string; primaryRegion?: string; replication?: ReplicaStatus[]}
  | {scope: string; secrets: Record<string, string>}
  | {name: string; fields: Record<string, unknown>}

export default class Get extends BaseCommand<GetResult> {
  static override args = readAddressArgs
  static override description = `Prints the value to stdout exactly as stored, byte for byte; a newline is added only when stdout is a terminal. Reads the AWSCURRENT version unless --version-stage or --version-id says otherwise.

With --field, reads a key/value secret (a JSON object, as RDS and the console's key/value type store) and prints that field: a JSON string as its raw text, anything else as compact JSON. A missing field exits 3 naming the fields that exist (names only); a value that is not a JSON object exits 2. Repeat --field with --json for an object of several.

A secret outside /<env>/<service>/<name> (RDS's rds!cluster-<uuid>) is read by its full ARN in place of ENV/SERVICE NAME, or with --id NAME.

With --all, prints every secret of ENV/SERVICE as one JSON object {"NAME": "value"}, read in batches of 20.

${exitCodesHelp('get')}`

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> prod/api DB_PASS', description: 'Print the current value.'},
    {command: 'DB_PASS=$(<%= config.bin %> <%= command.id %> /prod/api/DB_PASS) && psql ...', description: 'In a script, into a local variable (not an exported one).'},
    {command: '<%= config.bin %> <%= command.id %> prod/api --all > /dev/shm/api.json', description: 'Every secret of the service as JSON.'},
    {command: '<%= config.bin %> <%= command.id %> prod/api DB_PASS --version-stage AWSPREVIOUS', description: 'The previous value.'},
    {command: 'PGPASSWORD=$(<%= config.bin %> <%= command.id %> prod/api DB --field password) psql -h "$(<%= config.bin %> <%= command.id %> prod/api DB --field host)"', description: 'One field of a key/value secret, raw.'},
    {command: '<%= config.bin %> <%= command.id %> prod/api DB --field username --field port --json', description: 'Several fields as a JSON object.'},
    {command: '<%= config.bin %> <%= command.id %> arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-0f1e2d3c-aaaa-bbbb-cccc-1234567890ab-AbC123 --field password', description: 'The password of an RDS-managed secret, by its ARN (or --id NAME).'},
  ]

  static override flags = {
    all: Flags.boolean({description: 'Every secret of ENV/SERVICE as one JSON object.', exclusive: ['version-stage', 'version-id']}),
    'version-stage': Flags.string({description: 'Read this stage instead of AWSCURRENT (e.g. AWSPREVIOUS).'}),
    'version-id': Flags.string({description: 'Read this version id.'}),
    id: {...idFlag, exclusive: ['all']},
    field: Flags.string({description: 'Print this field of a key/value (JSON object) secret (repeatable with --json).', multiple: true, exclusive: ['all']}),
  }

  static override summary = 'Print a secret value (or every value of a service with --all).'

  async run(): Promise<CommandResult<GetResult>> {
    const {args, flags} = await this.parse(Get)
    if (flags.all) return this.all(flags, args)
    const ref = parseSecretRef(args.scope, args.name, flags.id)
    checkVersionSelector({versionId: flags['version-id'], versionStage: flags['version-stage']})
    const address = {fullName: ref.id}
    const store = await this.secretStore(flagsForRef(flags, ref), ref.env)
    if (flags.field) return this.fields(store, ref, flags.field, {versionStage: flags['version-stage'], versionId: flags['version-id']})
    // With --json, the replication status comes along (one DescribeSecret, read beside the value; a
    // denied describe only leaves it out, since the value is what was asked for).
    const [value, metadata] = await this.spin(`Reading ${ref.id}`, () =>
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

  /** --field: fields of a key/value secret; one prints raw, several need --json (raw values one after another could not be told apart). */
  private async fields(store: SecretStore, ref: SecretRef, names: string[], options: ReadOptions): Promise<CommandResult<GetResult>> {
    if (names.length > 1 && !this.jsonEnabled()) throw new UsageError('Several --field flags print as one JSON object: add --json (raw values one after another could not be told apart).')
    const fields = await this.spin(`Reading ${ref.id}`, () => readFields(store, ref.id, names, options))
    return succeeded({name: ref.id, fields}, {stdout: fieldText(fields[names[0]]), newlineOnTerminal: true})
  }

  /** --all: every value of ENV/SERVICE as one JSON object, on stdout with or without --json. */
  private async all(flags: AwsFlags, args: {scope?: string; name?: string}): Promise<CommandResult<GetResult>> {
    if (args.name !== undefined) throw new UsageError('--all reads a whole service: give ENV/SERVICE without a name.')
    const scope = Scope.parse(args.scope ?? '')
    const store = await this.secretStore(flags, scope.env)
    const values = await this.spin(`Reading ${scope.prefix}*`, () => getAllSecrets(store, scope))
    const secrets = Object.fromEntries([...values].map(([name, value]) => [name, value.toJSONValue()]))
    return succeeded({scope: scope.toString(), secrets}, {stdout: `${JSON.stringify(secrets, null, 2)}\n`})
  }
}
