import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../base-command.js'
import {quietFlag} from '../flags.js'
import {exitCodesHelp} from '../core/exit-codes.js'
import {Scope} from '../core/address.js'
import type {CommandResult} from '../core/outcome.js'
import type {DiffReport} from '../services/diff.js'
import {diffResult} from '../ui/render/diff.js'

export default class Diff extends BaseCommand<DiffReport> {
  static override args = {
    left: Args.string({description: 'First ENV/SERVICE, e.g. staging/api', required: true, ignoreStdin: true}),
    right: Args.string({description: 'Second ENV/SERVICE, e.g. prod/api', required: true, ignoreStdin: true}),
  }

  static override description = `Lists the names only in the first scope, only in the second, and in both with equal or different values. Values are read in batches (20 a call), compared by their SHA-256 inside this process, and never printed; neither are their digests.

With --fields, a pair of key/value secrets (JSON objects) that differ also names the fields that differ (in both with other values, or on one side only); field values are compared the same way, never printed.

Exits 0 when both scopes hold the same names with the same values and 8 when they differ, after printing the report (with --json, the report is still the document on stdout), so a pipeline can gate a deploy on it. A scope that holds no secrets is exit 3, naming it: two misspelt scopes are not "equal" (--allow-empty compares them anyway).

${exitCodesHelp('diff')}`

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> staging/api prod/api', description: 'What prod lacks, what only prod has, and which values differ.'},
    {command: '<%= config.bin %> <%= command.id %> staging/api prod/api --quiet || echo "prod/api is not in step with staging/api"', description: 'In a pipeline: only the exit code.'},
    {command: '<%= config.bin %> <%= command.id %> staging/api prod/api --fields', description: 'For key/value secrets that differ, which fields (names only).'},
    {command: '<%= config.bin %> <%= command.id %> staging/api prod/api --json | jq -r \'.secrets[] | select(.state == "only-left") | .name\'', description: 'The names prod/api lacks, as JSON.'},
  ]

  static override flags = {
    quiet: quietFlag('nothing: the exit code says equal (0) or different (8)'),
    fields: Flags.boolean({description: 'For key/value (JSON object) secrets that differ, name the fields that differ (names only).'}),
    'allow-empty': Flags.boolean({description: 'Compare even when a scope holds no secrets (without it, an empty scope is exit 3: usually a misspelt name).'}),
  }

  static override summary = 'Compare the secrets of two environments by name and value, without showing any value.'

  async run(): Promise<CommandResult<DiffReport>> {
    const {args, flags} = await this.parse(Diff)
    const left = Scope.parse(args.left)
    const right = Scope.parse(args.right)
    // Each side is read in its own environment's account and region (secrets.yml), when they differ.
    const [store, rightStore] = await Promise.all([this.secretStore(flags, left.env), this.secretStore(flags, right.env)])
    const {diffScopes} = await import('../services/diff.js')
    const report = await this.spin(`Comparing ${left} with ${right}`, () => diffScopes(store, left, right, rightStore, {fields: flags.fields, allowEmpty: flags['allow-empty']}))
    return diffResult(report, flags.quiet)
  }
}
