import {basename} from 'node:path'

import {Scope} from '../../../core/address.js'
import {cutAtHashProblem, type DotenvFile, duplicateKeysError, readDotenv} from '../../../core/dotenv.js'
import {UsageError} from '../../../core/errors.js'
import {digestOf, mapDotenvKey, mapFunctionVariable, type SourceItem, type SourceWords} from '../../../core/migration-plan.js'
import {leftItem, takenByOnly} from '../read-source.js'
import type {MigrationSource, Reading, SourceRequest} from './source.js'
import {refuseGrantFormat} from './workload.js'

/*
 * A .env file (--from-dotenv): read as dotenv reads it, in file order; a key becomes ENV/SERVICE/<key>.
 * The file is never modified: the run says to delete it once the application reads Secrets Manager.
 */

const WORDS: SourceWords = {noun: 'source', deleted: 'deleted', toDelete: 'to delete', kept: 'kept'}

/** The entries of the .env file `file`, whose decoded text is `text`. */
export function dotenvSource(file: string, text: string): MigrationSource {
  return {
    kind: 'dotenv',
    name: file,
    words: WORDS,
    judgedAlways: false,
    planOrder: 'line',
    read: (reading) => readDotenvEntries(reading, file, text),
    targetMapping: (inputs) => (item) => (inputs.toEnvironment ? mapFunctionVariable(item.name, inputs.toEnvironment.env) : mapDotenvKey(item.name, inputs.to as Scope)),
    tagName: (item) => `${basename(file)}:${item}`,
    unmatched: {what: 'key in', hint: '--only takes a key of the file exactly as written (case matters).'},
    migratedEarlierWhere: `no longer in ${file}`,
    collisionFix: () => 'Migrate the colliding items separately, each with --only NAME and its own --to',
    finishedNote: (inputs) => (inputs.dryRun ? undefined : `${file} was not modified. Delete it once your application reads these secrets from Secrets Manager.`),
  }
}

async function readDotenvEntries(reading: Reading, fileName: string, text: string): Promise<void> {
  const {judge, scan} = reading
  const file = readDotenv(text)
  if (file.duplicates.length > 0) throw duplicateKeysError(fileName, file.duplicates)
  const selected = file.entries.filter((entry) => takenByOnly(reading, [entry.key]))
  reading.notSelected += file.entries.length - selected.length
  const cutAtHash = new Map(file.cutAtHash.map(({key, line}) => [key, line]))
  const entries = selected.filter((entry) => keepCutValue(reading, fileName, entry, cutAtHash.get(entry.key)))
  const verdicts =
    judge && scan ? await (await import('../../../core/audit/variables.js')).classifyVariables(entries.map((entry) => ({name: entry.key, value: entry.value.text ?? ''})), scan) : undefined
  for (const [index, entry] of entries.entries()) {
    const item: SourceItem = {name: entry.key, line: entry.line, digest: digestOf(entry.value.bytes), byteLength: entry.value.byteLength}
    const verdict = verdicts?.[index]
    reading.onRead()
    if (verdict && judge && !reading.leavesConfiguration) {
      if (!judge.holdsSecret(verdict)) reading.configuration.push(entry.key)
    } else if (verdict && judge) {
      const why = judge.describeVerdict(verdict)
      if (!judge.holdsSecret(verdict)) {
        reading.extraItems.push(leftItem(item, why))
        continue
      }

      item.selected = why
    }

    reading.sources.push(item)
    reading.cache.keep(entry.key, entry.value)
  }

  reportUnreadLines(reading, file)
  if (file.entries.length === 0 && reading.extraItems.length === 0) throw new UsageError(`${fileName} has no KEY=VALUE entries; nothing to migrate.`)
}

/**
 * An entry whose value dotenv cut at a `#` (`TOKEN=abc#x` reads as `abc`): migrated with a warning
 * naming its key and line, since the rest may be a comment; --secrets-only refuses it (an invalid item
 * saying how to quote it), since a secret cut short is a broken secret and the audit's rules would judge
 * the part before the `#`. True when the entry is still to be read.
 */
function keepCutValue(reading: Reading, fileName: string, entry: {key: string; line: number}, cutLine: number | undefined): boolean {
  if (cutLine === undefined) return true
  if (!reading.secretsOnly) {
    reading.warnings.push(cutAtHashProblem(fileName, entry.key, cutLine))
    return true
  }

  reading.onRead()
  reading.extraItems.push({
    source: {name: entry.key, line: entry.line, digest: '', byteLength: 0},
    state: 'invalid',
    reason: `the value is cut at "#" (dotenv reads an unquoted # as the start of a comment), so --secrets-only does not take it: quote the value, ${entry.key}='...', to migrate it whole`,
  })
  return false
}

/**
 * Lines dotenv cannot read as KEY=VALUE would be lost silently: they are reported as invalid items.
 * So are lines dotenv reads as a key that could be a secret (a base64 line of an unquoted PEM key):
 * named by their line number only, never written.
 */
function reportUnreadLines(reading: Reading, file: DotenvFile): void {
  const {only, extraItems} = reading
  for (const line of file.ignoredLines) {
    extraItems.push({
      source: {name: `line ${line}`, line, digest: '', byteLength: 0},
      state: 'invalid',
      reason: 'dotenv does not read this line as KEY=VALUE (a key is letters, digits, _ . and -); it was not migrated',
    })
  }

  for (const {key, line} of file.truncated) {
    if (only && !only.has(key)) continue
    reading.matchedOnly.add(key)
    extraItems.push({
      source: {name: key, line, digest: '', byteLength: 0},
      state: 'invalid',
      reason: 'the value is only the first line of an unquoted multi-line PEM block; quote the whole value in double quotes to migrate it',
    })
  }

  for (const {line, reason} of file.suspectLines) {
    extraItems.push({source: {name: `line ${line}`, line, digest: '', byteLength: 0}, state: 'invalid', reason})
  }
}

/** --to of a .env run (required: a file does not say where its keys belong), after refusing what a file cannot take. */
export function dotenvTarget(request: SourceRequest): Scope {
  const to = request.to === undefined ? undefined : Scope.parse(request.to)
  refuseGrantFormat(request)
  if (request.removeFromSource) {
    throw new UsageError('--remove-from-source is for --from-lambda and --all-functions.', 'A .env file is never modified: delete it yourself once the migration is verified.')
  }

  if (to === undefined) {
    throw new UsageError('--from-dotenv needs --to ENV/SERVICE: a .env file does not say where its keys belong.', 'For example: secrets migrate --from-dotenv .env --to prod/api')
  }

  if (request.type !== undefined) {
    throw new UsageError('--type is for SSM only; .env entries have no type.', 'Select .env entries with --only KEY or --secrets-only.')
  }

  if (request.deleteSource) {
    throw new UsageError('--delete-source is for SSM only; a .env file is never modified or deleted.', 'Delete the file yourself once the migration is verified.')
  }

  return to
}
