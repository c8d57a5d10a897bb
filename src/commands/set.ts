import {Flags, type Interfaces} from '@oclif/core'

import {addressArgs} from '../args.js'
import {BaseCommand} from '../base-command.js'
import {exitCodesHelp} from '../core/exit-codes.js'
import {SecretAddress} from '../core/address.js'
import {UsageError} from '../core/errors.js'
import {lines, type CommandResult, succeeded} from '../core/outcome.js'
import {parseTags} from '../core/tags.js'
import {AWS_LIMITS, checkLimit, checkWriteMetadata} from '../core/aws-limits.js'
import {yesFlag} from '../flags.js'
import {escapeLine} from '../core/printable.js'
import {InterruptedError} from '../core/errors.js'
import {type FieldWriteResult, fieldsReplacedBy, fieldValueText, writeField} from '../services/fields.js'
import type {SecretValue} from '../core/secret-value.js'
import type {PasswordOptions, SecretStore} from '../stores/secret-store.js'
import {confirmOrRequireYes} from '../ui/prompts.js'
import {setSecret, type SetResult} from '../services/set.js'

/** What describes a whole secret or its creation: not taken with a field write. */
const WHOLE_SECRET_FLAGS = ['description', 'kms-key-id', 'tag', 'no-overwrite']

export default class Set extends BaseCommand<SetResult | FieldWriteResult> {
  static override args = addressArgs
  static override description = `Stores the value in AWS Secrets Manager as /<env>/<service>/<name>. The value is read from a hidden prompt (typed twice) on a terminal, from stdin in a pipeline (one trailing newline dropped), or from --from-file (exact bytes). It is never taken from the command line, where it would land in shell history and in \`ps\`.

With --field NAME, writes one field of a key/value secret (a JSON object): the field's value (as a JSON string) comes from the prompt, stdin or --from-file, and every other field is kept byte for byte. --unset-field NAME removes one. A secret that does not exist is created as {"NAME": "value"}. Two writers changing fields of one secret at once both land: the new version becomes AWSCURRENT only if the version read is still current (a compare-and-swap on the stage), and otherwise it is read again and re-applied.

--generate stores a value from Secrets Manager's GetRandomPassword (32 characters unless --length; --exclude-punctuation, --exclude-characters), whole or with --field; it is never printed unless --show is given and stdout is a terminal.

A whole value that is not itself a JSON object, written over a key/value secret, replaces every field: set says so and asks on a terminal, and needs --yes in a pipeline.

If the current value is identical, no version is written and the outcome is "unchanged" (a --description or --tag given is still applied, and the output says so); otherwise a new version is added and the old one stays as AWSPREVIOUS. --kms-key-id applies to a new secret only.

Names are case-sensitive: set Prod/Api db_pass creates a second secret beside /prod/api/DB_PASS. A new secret whose name or scope differs only by case from one that exists (the scope is listed as given and in lower case) is created, and stderr says so, naming the existing one (--json: differsByCaseFrom).

A flag AWS would refuse is refused before any call (exit 2, naming the limit): a description or KMS key id over 2,048 characters, a tag key over 128 or value over 256, more than 50 tags, a tag key or value starting with aws:, --exclude-characters over 4,096. If AWS still refuses the description or the tags after the value was stored, the outcome line says what was stored and what was not applied (--json: notApplied and error), and the exit code is the refusal's.

${exitCodesHelp('set')}`

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> prod/api DB_PASS', description: 'Type the value at a hidden prompt.'},
    {command: 'printf %s "$DB_PASS" | <%= config.bin %> <%= command.id %> prod/api DB_PASS', description: 'In a pipeline, from stdin.'},
    {command: '<%= config.bin %> <%= command.id %> /prod/api/TLS_KEY --from-file key.pem --tag owner=payments', description: 'From a file, exact bytes, with a tag.'},
    {command: 'printf %s "$NEW_PW" | <%= config.bin %> <%= command.id %> prod/api DB --field password', description: 'Change one field of a key/value secret, keeping the others.'},
    {command: '<%= config.bin %> <%= command.id %> prod/api DB --unset-field legacy_user', description: 'Remove one field.'},
    {command: '<%= config.bin %> <%= command.id %> prod/api DB --field password --generate --length 40 --exclude-characters \'"@/\\\'', description: 'Rotate one field to a generated value RDS accepts (never printed).'},
  ]

  static override flags = {
    'from-file': Flags.string({description: 'Read the value from this file (exact bytes, nothing stripped).'}),
    description: Flags.string({description: 'Description of the secret.'}),
    'kms-key-id': Flags.string({description: 'KMS key (id, ARN or alias) to encrypt a new secret with.'}),
    tag: Flags.string({description: 'Tag KEY=VALUE (repeatable).', multiple: true}),
    'no-overwrite': Flags.boolean({description: 'Fail with exit 4 if the secret already exists.'}),
    field: Flags.string({description: 'Write only this field of a key/value (JSON object) secret, keeping the others.', exclusive: ['unset-field', ...WHOLE_SECRET_FLAGS]}),
    yes: yesFlag,
    'unset-field': Flags.string({description: 'Remove this field of a key/value secret (no value is read).', exclusive: ['from-file', 'generate', ...WHOLE_SECRET_FLAGS]}),
    generate: Flags.boolean({description: "Store a random value from Secrets Manager's GetRandomPassword (never printed unless --show).", exclusive: ['from-file']}),
    length: Flags.integer({description: 'Length of the generated value (default 32).', min: AWS_LIMITS.passwordLength.min, max: AWS_LIMITS.passwordLength.max, dependsOn: ['generate']}),
    'exclude-punctuation': Flags.boolean({description: 'Generate letters and digits only.', dependsOn: ['generate']}),
    'exclude-characters': Flags.string({description: 'Characters the generated value must not contain.', dependsOn: ['generate']}),
    show: Flags.boolean({description: 'Print the generated value, on a terminal only.', dependsOn: ['generate']}),
  }

  static override summary = 'Create or update a secret; the value never comes from argv.'
  // The argument names are those of ARGUMENTS (SCOPE [NAME]), so the two sections of --help agree.
  static override usage = '<%= command.id %> SCOPE [NAME] [--from-file PATH] [--description TEXT] [--kms-key-id KEY] [--tag KEY=VALUE]... [--no-overwrite] [--field NAME | --unset-field NAME] [--generate [--length N] [--exclude-punctuation] [--exclude-characters CHARS] [--show]] [--yes] [--json]'

  /**
   * A third argument is most likely the value itself: oclif's "Unexpected argument: X" would quote it,
   * so it becomes the message that says why a value is never an argument (and never shows it).
   */
  override async catch(error: Error & {exitCode?: number}): Promise<never> {
    return super.catch(/^Unexpected arguments?:/.test(error.message) ? valueAsArgument() : error)
  }

  async run(): Promise<CommandResult<SetResult | FieldWriteResult>> {
    const {args, flags} = await this.parse(Set)
    refuseValueArguments(args.scope, args.name)
    refuseAssignment(args.scope, args.name)
    const address = SecretAddress.fromArgs(args.scope, args.name)
    if (flags.show && (!process.stdout.isTTY || this.jsonEnabled())) {
      throw new UsageError('--show prints the generated value to a terminal only, and stdout is not one (or --json is on); nothing was written.', `Read it later with: secrets get ${address}`)
    }

    const tags = parseTags(flags.tag)
    // Every flag that goes into a request is checked before the first call, so a later step of the
    // write cannot be refused for it after the value is stored.
    checkWriteMetadata({description: flags.description, kmsKeyId: flags['kms-key-id'], tags})
    if (flags['exclude-characters'] !== undefined) checkLimit(AWS_LIMITS.excludeCharacters, flags['exclude-characters'], '--exclude-characters')
    const field = flags.field ?? flags['unset-field']
    const label = field === undefined ? address.fullName : `${address} field ${field}`
    // A typed or piped value is read before any AWS call; a generated one needs the store first.
    const generator = flags.generate ? await this.secretStore(flags, address.env, {write: true}) : undefined
    const value = await this.valueToStore(flags, label, generator)
    const store = generator ?? (await this.secretStore(flags, address.env, {write: true}))
    const {json, line} = field === undefined ? await this.setWhole(store, address, value as SecretValue, flags, tags) : await this.setField(store, address, field, value)
    // --show: the generated value after the outcome line, only on a terminal (checked above).
    const stdout = lines(line, ...(flags.show && value ? [value.text as string] : []))
    if ('error' in json && json.error) return partlyWritten(json, stdout)
    const twins = 'differsByCaseFrom' in json ? json.differsByCaseFrom : undefined
    return succeeded<SetResult | FieldWriteResult>(json, {stdout, ...(twins ? {notice: caseWarning(json.name, twins)} : {})})
  }

  /** Nothing for --unset-field; GetRandomPassword for --generate; else the prompt, stdin or --from-file. */
  private async valueToStore(flags: SetFlags, label: string, generator: SecretStore | undefined): Promise<SecretValue | undefined> {
    if (flags['unset-field'] !== undefined) return undefined
    if (generator) return this.spin('Generating a value', () => generator.generatePassword(passwordOptions(flags)))
    return this.readSecretValue(label, flags['from-file'])
  }

  private async setField(store: SecretStore, address: SecretAddress, field: string, value: SecretValue | undefined): Promise<{json: FieldWriteResult; line: string}> {
    const change = value === undefined ? {field, unset: true as const} : {field, value: fieldValueText(value, field)}
    const result = await this.spin(`Storing ${address} field ${field}`, () => writeField(store, address.fullName, change))
    return {json: result, line: `${result.outcome} ${result.name} field ${escapeLine(result.field)}${result.action === 'unset' && result.outcome !== 'unchanged' ? ' (removed)' : ''}${result.versionId ? ` (version ${result.versionId})` : ''}`}
  }

  private async setWhole(store: SecretStore, address: SecretAddress, value: SecretValue, flags: SetFlags, tags: Record<string, string>): Promise<{json: SetResult; line: string}> {
    const replaced = flags['no-overwrite'] ? undefined : await fieldsReplacedBy(store, address.fullName, value)
    if (replaced !== undefined) {
      // A generated password was given by nobody: the warning speaks of it as what it is.
      const what = flags.generate ? 'a generated password' : 'this value is not a JSON object and'
      process.stderr.write(`Warning: ${address} is a key/value secret (fields ${replaced.map((name) => escapeLine(name)).join(', ')}); ${what} replaces every field. To change one field, use --field NAME${flags.generate ? ' (with --generate too)' : ''}.\n`)
      if (!(await confirmOrRequireYes(`Replace every field of ${address}?`, flags.yes))) throw new InterruptedError('Cancelled; nothing was written.')
    }

    const result = await this.spin(`Storing ${address}`, () =>
      setSecret(store, address, value, {
        description: flags.description,
        kmsKeyId: flags['kms-key-id'],
        tags,
        overwrite: !flags['no-overwrite'],
      }),
    )
    const notes = [
      ...(result.outcome === 'unchanged' && (result.metadataApplied ?? result.notApplied) ? ['value identical'] : []),
      ...(result.metadataApplied?.length ? [`${result.metadataApplied.join(' and ')} applied`] : []),
      ...(result.notApplied?.length ? [`${result.notApplied.join(' and ')} NOT applied`] : []),
    ]
    return {json: result, line: `${result.outcome} ${result.name}${result.versionId ? ` (version ${result.versionId})` : ''}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`}
  }
}

type SetFlags = Interfaces.InferredFlags<typeof Set.flags>

/**
 * AWS refused a later step after the value was handled: stdout still says what landed (the outcome
 * line, --json the result with `notApplied` and `error`), stderr the refusal, and the exit code is its.
 */
function partlyWritten(json: SetResult, stdout: string | undefined): CommandResult<SetResult> {
  const error = json.error as NonNullable<SetResult['error']>
  const missing = (json.notApplied ?? []).join(' and ')
  return {
    json,
    stdout,
    notice: `Error: ${error.message}`,
    hint: `${error.hint ? `${error.hint} Then run` : `Once the ${missing} can be applied, run`} the same command again: the value is stored, so it adds no version and applies the ${missing}.`,
    exitCode: error.exitCode,
  }
}

/**
 * A secret created beside one whose name or scope differs only by case (`Prod/Api` beside `prod/api`):
 * said on stderr, not an error, since two scopes may be meant; names only.
 */
function caseWarning(name: string, twins: readonly string[]): string {
  const [first] = twins
  const what = first.toLowerCase() === name.toLowerCase() ? 'name' : 'scope'
  const more = twins.length > 1 ? ` (and ${twins.length - 1} more)` : ''
  return `Warning: ${name} was created beside ${escapeLine(first)}${more}, whose ${what} differs only by case. Secrets Manager names are case-sensitive: these are separate secrets, and a grant on one scope does not reach the other. If you meant the existing one, delete this one (secrets delete ${name}) and set that one.`
}

function passwordOptions(flags: SetFlags): PasswordOptions {
  return {length: flags.length ?? 32, excludePunctuation: flags['exclude-punctuation'], excludeCharacters: flags['exclude-characters']}
}

/** A value typed as an argument is refused before anything is read or written, and never echoed. */
function refuseValueArguments(scope: string, name: string | undefined): void {
  const fullNameGiven = scope.replace(/^\/|\/$/g, '').split('/').length === 3
  if (fullNameGiven && name !== undefined) throw valueAsArgument()
}

function valueAsArgument(): UsageError {
  return new UsageError(
    'set does not take the value as an argument (it would be kept in shell history and visible in ps); nothing was written.',
    'Type it at the prompt, pipe it on stdin (printf %s "$VALUE" | secrets set prod/api NAME), or pass --from-file PATH.',
  )
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
