import {Args, Flags, ux} from '@oclif/core'

import {BaseCommand, EXIT_CODES_HELP} from '../base-command.js'
import {Scope} from '../core/address.js'
import type {DiffEntry, DiffState} from '../core/env-compare.js'
import {escapeLine} from '../core/printable.js'
import {ExitCode} from '../core/errors.js'
import type {DiffReport} from '../services/diff.js'
import {renderTable} from '../ui/table.js'

export default class Diff extends BaseCommand<DiffReport> {
  static override args = {
    left: Args.string({description: 'First ENV/SERVICE, e.g. staging/api', required: true, ignoreStdin: true}),
    right: Args.string({description: 'Second ENV/SERVICE, e.g. prod/api', required: true, ignoreStdin: true}),
  }

  static override description = `Lists the names only in the first scope, only in the second, and in both with equal or different values. Values are read in batches (20 a call), compared by their SHA-256 inside this process, and never printed; neither are their digests.

With --fields, a pair of key/value secrets (JSON objects) that differ also names the fields that differ (in both with other values, or on one side only); field values are compared the same way, never printed.

Exits 0 when both scopes hold the same names with the same values and 8 when they differ, after printing the report (with --json, the report is still the document on stdout), so a pipeline can gate a deploy on it.

${EXIT_CODES_HELP.replace(', 130', ', 8 the scopes differ, 130')}`

  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> staging/api prod/api', description: 'What prod lacks, what only prod has, and which values differ.'},
    {command: '<%= config.bin %> <%= command.id %> staging/api prod/api --quiet || echo "prod/api is not in step with staging/api"', description: 'In a pipeline: only the exit code.'},
    {command: '<%= config.bin %> <%= command.id %> staging/api prod/api --fields', description: 'For key/value secrets that differ, which fields (names only).'},
    {command: '<%= config.bin %> <%= command.id %> staging/api prod/api --json | jq -r \'.secrets[] | select(.state == "only-left") | .name\'', description: 'The names prod/api lacks, as JSON.'},
  ]

  static override flags = {
    quiet: Flags.boolean({char: 'q', description: 'Print nothing (errors aside); the exit code says equal (0) or different (8).'}),
    fields: Flags.boolean({description: 'For key/value (JSON object) secrets that differ, name the fields that differ (names only).'}),
  }

  static override summary = 'Compare the secrets of two environments by name and value, without showing any value.'

  async run(): Promise<DiffReport> {
    const {args, flags} = await this.parse(Diff)
    const left = Scope.parse(args.left)
    const right = Scope.parse(args.right)
    // Each side is read in its own environment's account and region (secrets.yml), when they differ.
    const [store, rightStore] = await Promise.all([this.secretStore(flags, left.env), this.secretStore(flags, right.env)])
    const {diffScopes} = await import('../services/diff.js')
    const report = await this.spin(`Comparing ${left} with ${right}`, () => diffScopes(store, left, right, rightStore, {fields: flags.fields}))
    if (!this.jsonEnabled() && !flags.quiet) {
      this.log(renderDiff(report))
      if (!report.equal && report.counts['only-left'] + report.counts.different > 0) {
        this.note(`Hint: "secrets promote ${report.left} ${report.right} --dry-run" shows what copying would change.`)
      }
    }

    // The report is printed (or returned as the --json document) first; the exit code then says "differ".
    if (!report.equal) process.exitCode = ExitCode.different
    return report
  }
}

const COLOURS: Record<DiffState, string> = {'only-left': 'yellow', 'only-right': 'cyan', different: 'red', equal: 'green'}

function stateLabel(state: DiffState, report: DiffReport): string {
  if (state === 'only-left') return `only in ${report.left}`
  if (state === 'only-right') return `only in ${report.right}`
  return state
}

/** `different (fields: host, password)`: every field name that differs, whichever way. */
function fieldsLabel(entry: DiffEntry): string {
  if (!entry.fields) return ''
  const names = [...entry.fields.different, ...entry.fields.onlyLeft, ...entry.fields.onlyRight].sort()
  return names.length === 0 ? ' (no field differs: only spacing or order)' : ` (fields: ${names.map((name) => escapeLine(name)).join(', ')})`
}

/** A NAME/STATE table and a summary line; colour (via oclif's colorize) honours NO_COLOR and FORCE_COLOR. */
function renderDiff(report: DiffReport): string {
  const {counts} = report
  const total = report.secrets.length
  if (total === 0) return `${report.left} and ${report.right} are both empty: equal.`
  const table = renderTable(
    ['NAME', 'STATE'],
    report.secrets.map((entry) => [entry.name, ux.colorize(COLOURS[entry.state], stateLabel(entry.state, report)) + fieldsLabel(entry)]),
  )
  const parts = [
    counts['only-left'] ? `${counts['only-left']} only in ${report.left}` : '',
    counts['only-right'] ? `${counts['only-right']} only in ${report.right}` : '',
    counts.different ? `${counts.different} different` : '',
    counts.equal ? `${counts.equal} equal` : '',
  ].filter(Boolean)
  const verdict = report.equal ? 'equal' : 'differ'
  return `${table}\n\n${report.left} and ${report.right} ${verdict}: ${parts.join(', ')}.`
}
