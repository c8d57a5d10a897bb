import {Flags} from '@oclif/core'

import {readAddressArgs} from '../args.js'
import {BaseCommand} from '../base-command.js'
import {checkVersionSelector} from '../core/aws-limits.js'
import {exitCodesHelp} from '../core/exit-codes.js'
import {lines, type CommandResult, succeeded} from '../core/outcome.js'
import {escapeLine} from '../core/printable.js'
import {flagsForRef, parseSecretRef} from '../core/secret-ref.js'
import {idFlag} from '../flags.js'
import {listFields} from '../services/fields.js'

interface FieldsResult {
  name: string
  fields: string[]
}

/**
 * Its own command rather than `list --fields`: `list` reads no value (ListSecrets only, so it works
 * with list-only permissions and never decrypts), while the field names are inside the value and
 * need GetSecretValue on that one secret, as `get` does.
 */
export default class Fields extends BaseCommand<FieldsResult> {
  static override args = readAddressArgs
  static override description = `Reads a key/value secret (a JSON object, such as the ones RDS creates) and prints its field names, one a line, in the document's order. Values are never printed. A value that is not a JSON object exits 2.

${exitCodesHelp('fields')}`

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> prod/api DB', description: 'The field names, one a line.'},
    {command: '<%= config.bin %> <%= command.id %> prod/api DB --json | jq -r ".fields[]"', description: 'In a pipeline.'},
    {command: '<%= config.bin %> <%= command.id %> arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-0f1e2d3c-aaaa-bbbb-cccc-1234567890ab-AbC123', description: 'An RDS-managed secret, by its ARN.'},
  ]

  static override flags = {
    id: idFlag,
    'version-stage': Flags.string({description: 'Read this stage instead of AWSCURRENT (e.g. AWSPREVIOUS).'}),
    'version-id': Flags.string({description: 'Read this version id.'}),
  }

  static override summary = 'List the field names of a key/value secret (never values).'

  async run(): Promise<CommandResult<FieldsResult>> {
    const {args, flags} = await this.parse(Fields)
    const ref = parseSecretRef(args.scope, args.name, flags.id)
    checkVersionSelector({versionId: flags['version-id'], versionStage: flags['version-stage']})
    const store = await this.secretStore(flagsForRef(flags, ref), ref.env)
    const fields = await this.spin(`Reading ${ref.id}`, () =>
      listFields(store, ref.id, {versionStage: flags['version-stage'], versionId: flags['version-id']}),
    )
    return succeeded({name: ref.id, fields}, {stdout: lines(...fields.map((field) => escapeLine(field)))})
  }
}
