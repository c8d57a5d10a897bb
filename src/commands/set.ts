import {Flags} from '@oclif/core'

import {addressArgs} from '../args.js'
import {BaseCommand, EXIT_CODES_HELP} from '../base-command.js'
import {SecretAddress} from '../core/address.js'
import {UsageError} from '../core/errors.js'
import {type CommandResult, succeeded} from '../core/outcome.js'
import {parseTags} from '../core/tags.js'
import {setSecret, type SetResult} from '../services/set.js'

export default class Set extends BaseCommand<SetResult> {
  static override args = addressArgs
  static override description = `Stores the value in AWS Secrets Manager as /<env>/<service>/<name>. The value is read from a hidden prompt (typed twice) on a terminal, from stdin in a pipeline (one trailing newline dropped), or from --from-file (exact bytes). It is never taken from the command line, where it would land in shell history and in \`ps\`.

If the current value is identical, no version is written and the outcome is "unchanged" (a --description or --tag given is still applied, and the output says so); otherwise a new version is added and the old one stays as AWSPREVIOUS. --kms-key-id applies to a new secret only.

${EXIT_CODES_HELP}`

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> prod/api DB_PASS', description: 'Type the value at a hidden prompt.'},
    {command: 'printf %s "$DB_PASS" | <%= config.bin %> <%= command.id %> prod/api DB_PASS', description: 'In a pipeline, from stdin.'},
    {command: '<%= config.bin %> <%= command.id %> /prod/api/TLS_KEY --from-file key.pem --tag owner=payments', description: 'From a file, exact bytes, with a tag.'},
  ]

  static override flags = {
    'from-file': Flags.string({description: 'Read the value from this file (exact bytes, nothing stripped).'}),
    description: Flags.string({description: 'Description of the secret.'}),
    'kms-key-id': Flags.string({description: 'KMS key (id, ARN or alias) to encrypt a new secret with.'}),
    tag: Flags.string({description: 'Tag KEY=VALUE (repeatable).', multiple: true}),
    'no-overwrite': Flags.boolean({description: 'Fail with exit 4 if the secret already exists.'}),
  }

  // Not strict: oclif would echo an unexpected argument, and that argument may be the value itself.
  static override strict = false
  static override summary = 'Create or update a secret; the value never comes from argv.'
  // Not strict (see above), so oclif would show variadic arguments; the real shape is fixed.
  static override usage = '<%= command.id %> ENV/SERVICE NAME [--from-file PATH] [--description TEXT] [--kms-key-id KEY] [--tag KEY=VALUE]... [--no-overwrite] [--json]'

  async run(): Promise<CommandResult<SetResult>> {
    const {args, argv, flags} = await this.parse(Set)
    refuseValueArguments(argv as string[], args.scope, args.name)
    refuseAssignment(args.scope, args.name)
    const address = SecretAddress.fromArgs(args.scope, args.name)
    const tags = parseTags(flags.tag)
    const value = await this.readSecretValue(address.fullName, flags['from-file'])
    const store = await this.secretStore(flags, address.env, {write: true})
    const result = await this.spin(`Storing ${address}`, () =>
      setSecret(store, address, value, {
        description: flags.description,
        kmsKeyId: flags['kms-key-id'],
        tags,
        overwrite: !flags['no-overwrite'],
      }),
    )
    const applied = result.metadataApplied?.length ? ` (value identical; ${result.metadataApplied.join(' and ')} applied)` : ''
    return succeeded(result, {stdout: `${result.outcome} ${result.name}${result.versionId ? ` (version ${result.versionId})` : ''}${applied}\n`})
  }
}

/** A value typed as an argument is refused before anything is read or written, and never echoed. */
function refuseValueArguments(argv: string[], scope: string, name: string | undefined): void {
  const fullNameGiven = scope.replace(/^\/|\/$/g, '').split('/').length === 3
  if (argv.length > 2 || (fullNameGiven && name !== undefined)) {
    throw new UsageError(
      'set does not take the value as an argument (it would be kept in shell history and visible in ps); nothing was written.',
      'Type it at the prompt, pipe it on stdin (printf %s "$VALUE" | secrets set prod/api NAME), or pass --from-file PATH.',
    )
  }
}

/**
 * `set prod/api DB_PASS=VALUE` (how Heroku's and Fly's `secrets set` take a value) would create a
 * secret *named* `DB_PASS=VALUE`, putting the value in ListSecrets and CloudTrail. A name given here
 * never holds `=`; the message shows only what comes before it.
 */
function refuseAssignment(scope: string, name: string | undefined): void {
  const typed = name === undefined ? scope : `${scope} ${name}`
  const at = typed.indexOf('=')
  if (at === -1) return
  const before = typed.slice(0, at).trim()
  const example = /^\/?[\w.@+-]+\/[\w.@+-]+\/?(\s+|\/)[\w.@+-]+$/.test(before) ? before : 'prod/api NAME'
  throw new UsageError(
    'The secret name contains "=": set takes NAME, not NAME=VALUE (the name is not shown, in case what follows "=" is the value); nothing was written.',
    `Give the value on stdin (printf %s "$VALUE" | secrets set ${example}), with --from-file PATH, or at the prompt.`,
  )
}
