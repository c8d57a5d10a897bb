import {basename} from 'node:path'

import pLimit from 'p-limit'

import type {Scope} from '../core/address.js'
import {duplicateKeysError, readDotenv} from '../core/dotenv.js'
import {ConflictError, ExitCode, type ExitCodeValue, NotFoundError, SecretsError, UsageError} from '../core/errors.js'
import {
  classify,
  digestOf,
  mapDotenvKey,
  mapSources,
  mapSsmName,
  type PlanItem,
  type PlanState,
  type SourceItem,
  type SourceKind,
  type TargetState,
  targetsToRead,
} from '../core/migration-plan.js'
import type {SecretValue} from '../core/secret-value.js'
import type {SecretStore} from '../stores/secret-store.js'
import type {ParameterSource} from '../stores/ssm-source.js'
import {
  applyConflictPolicy,
  CONFLICT_BLOCKS,
  type ConflictPolicy,
  firstFailureCode,
  markFailed,
  markNotRun,
  SKIPPED_HINT,
  summaryLine,
  verifyWritten,
  wasWritten,
  writeFailureReason,
  writeOptions,
} from './copy-pipeline.js'

export type {ConflictPolicy} from './copy-pipeline.js'

export type MigrationSource =
  | {kind: 'ssm'; path: string; parameters: ParameterSource}
  | {kind: 'dotenv'; file: string; text: string}

export interface MigrateOptions {
  source: MigrationSource
  /** Target scope; required for .env, optional for SSM (then names must already be /<env>/<service>/<name>). */
  to?: Scope
  dryRun: boolean
  onConflict: ConflictPolicy
  kmsKeyId?: string
  description?: string
  /** SSM only: delete each parameter once its target verified equal. */
  deleteSource: boolean
  concurrency: number
  /** Aborting stops new writes; writes in flight finish, are verified and reported. */
  signal?: AbortSignal
  /**
   * Bytes of source values kept in memory between reading and writing. Past it, only names and
   * digests are kept and values are read again from SSM (10 a call) just before their write.
   */
  valueCacheBytes?: number
  onProgress?: (progress: MigrationProgress) => void
  /** Called once with the plan, before anything is written (items as planned, names only). */
  onPlan?: (items: readonly ItemReport[]) => void
}

export type MigrationPhase = 'reading' | 'planned' | 'writing' | 'verifying' | 'deleting' | 'done'

export interface MigrationProgress {
  phase: MigrationPhase
  read: number
  planned: number
  toWrite: number
  written: number
  verified: number
  failed: number
  deleted: number
}

/** What happened to one item; `planned` only in a dry run, `not-run` when the run stopped before it. */
export type ItemOutcome =
  | 'created'
  | 'updated'
  | 'unchanged'
  | 'planned'
  | 'skipped'
  | 'conflict'
  | 'collision'
  | 'unmapped'
  | 'invalid'
  | 'failed'
  | 'not-run'

/** One line of the report. Names and outcomes only: never a value, nor a digest of one. */
export interface ItemReport {
  source: string
  line?: number
  type?: string
  target?: string
  plan: PlanState
  outcome: ItemOutcome
  reason?: string
  versionId?: string
  verified?: boolean
  sourceDeleted?: boolean
}

export interface MigrationReport {
  source: {kind: SourceKind; name: string}
  to?: string
  dryRun: boolean
  onConflict: ConflictPolicy
  deleteSource: boolean
  interrupted: boolean
  items: ItemReport[]
  totals: Record<ItemOutcome, number> & {items: number; sourcesDeleted: number}
  /** 0 only when every item is created, updated or unchanged (or, in a dry run, would be). */
  exitCode: ExitCodeValue
  summary: string
  hint?: string
}

/** Values held between plan and write; about 8 KB SSM values, so 64 MiB covers thousands. */
const DEFAULT_VALUE_CACHE_BYTES = 64 * 1024 * 1024
/** Writes are scheduled in chunks so values read again from SSM are only held for one chunk. */
const WRITE_CHUNK = 200

interface Working {
  item: PlanItem
  report: ItemReport
  previous?: TargetState
}

/**
 * Moves SSM parameters or .env entries into Secrets Manager: read, plan, (stop on a dry run or a
 * blocking plan), write with bounded concurrency and idempotency tokens, verify by batched read-back,
 * and for SSM optionally delete verified sources. Every step can be re-run: finished items plan as
 * `unchanged`, so an interrupted run is finished by running it again.
 */
export async function migrate(store: SecretStore, options: MigrateOptions): Promise<MigrationReport> {
  const progress: MigrationProgress = {phase: 'reading', read: 0, planned: 0, toWrite: 0, written: 0, verified: 0, failed: 0, deleted: 0}
  const emit = (phase?: MigrationPhase) => {
    if (phase) progress.phase = phase
    options.onProgress?.({...progress})
  }

  const cache = new ValueCache(options.valueCacheBytes ?? DEFAULT_VALUE_CACHE_BYTES)
  const {sources, extraItems} = await readSource(options, cache, () => {
    progress.read += 1
    if (progress.read % 50 === 0) emit()
  })
  if (sources.length === 0 && extraItems.length === 0 && options.source.kind === 'ssm') {
    // An empty path is what a finished --delete-source run leaves: running the same command again
    // must succeed, not fail, when the path's parameters are already secrets migrated from it.
    const {path} = options.source
    if (!(await migratedEarlierFrom(store, path, options.to))) {
      throw new NotFoundError(
        `No SSM parameters were found under ${path}.`,
        `Check the path (it is a prefix of parameter names, e.g. /prod/billing) with: aws ssm get-parameters-by-path --path ${path} --recursive --query 'Parameters[].Name'`,
      )
    }

    emit('done')
    return {
      ...buildReport(options, [], false),
      hint: `Nothing is left under ${path}: an earlier run migrated its parameters and deleted them.`,
    }
  }

  // Plan: map names, then one batched read of the targets (20 a call), keeping only digests.
  const mapped = mapSources(sources, (source) =>
    options.source.kind === 'ssm' ? mapSsmName(source.name, options.to) : mapDotenvKey(source.name, options.to as Scope),
  )
  const targets = await readTargets(store, targetsToRead(mapped))

  const planned = [...classify(mapped, targets), ...extraItems]
  // A .env plan reads in file order, with skipped lines where they are.
  if (options.source.kind === 'dotenv') planned.sort((a, b) => (a.source.line ?? 0) - (b.source.line ?? 0))
  const working: Working[] = planned.map((item) => ({
    item,
    previous: item.target === undefined ? undefined : targets.get(item.target),
    report: {
      source: item.source.name,
      ...(item.source.line === undefined ? {} : {line: item.source.line}),
      ...(item.source.type === undefined ? {} : {type: item.source.type}),
      ...(item.target === undefined ? {} : {target: item.target}),
      plan: item.state,
      outcome: initialOutcome(item.state),
      ...(item.reason === undefined ? {} : {reason: item.reason}),
    },
  }))
  progress.planned = working.length

  const collisions = working.some(({item}) => item.state === 'collision')
  const blockingConflicts = options.onConflict === 'fail' && working.some(({item}) => item.state === 'update')
  for (const {item, report} of working) if (item.state === 'update') applyConflictPolicy(report, options.onConflict)

  const toWrite = working.filter(({report}) => report.outcome === 'planned')
  for (const {item, report} of working) if (report.outcome !== 'planned') cache.drop(item.source.name)
  progress.toWrite = toWrite.length
  options.onPlan?.(working.map(({report}) => ({...report})))
  emit('planned')

  let interrupted = false
  let deleteError: SecretsError | undefined
  if (collisions || blockingConflicts) {
    markNotRun(toWrite.map(({report}) => report), collisions ? 'two sources map to one secret' : CONFLICT_BLOCKS)
  } else if (!options.dryRun) {
    interrupted = await writeAll(store, options, toWrite, cache, progress, emit)
    await verify(store, working, progress, emit)
    if (options.deleteSource && options.source.kind === 'ssm' && !interrupted) {
      deleteError = await deleteVerifiedSources(options.source.parameters, working, progress, emit)
    }
  }

  emit('done')
  return buildReport(options, working, interrupted, deleteError)
}

/**
 * The current state of the targets that exist. When the targets share few scopes, one listing per
 * scope (100 names a call) first says which exist, so a fresh migration reads no values at all;
 * otherwise every target is read in batches of 20. Listing is eventually consistent on AWS: a secret
 * it misses is caught at write time (see `recheck`).
 */
async function readTargets(store: SecretStore, names: string[]): Promise<Map<string, TargetState>> {
  const targets = new Map<string, TargetState>()
  if (names.length === 0) return targets
  const scopes = new Set(names.map((name) => name.slice(0, name.lastIndexOf('/') + 1)))
  let existing = names
  if (scopes.size <= Math.ceil(names.length / 20)) {
    const wanted = new Set(names)
    existing = []
    for (const prefix of scopes) {
      for await (const secret of store.list(prefix)) if (wanted.has(secret.name)) existing.push(secret.name)
    }
  }

  if (existing.length > 0) {
    const {values, versionIds} = await store.getMany(existing)
    for (const [name, value] of values) targets.set(name, {digest: digestOf(value.bytes), versionId: versionIds?.get(name)})
  }

  return targets
}

function initialOutcome(state: PlanState): ItemOutcome {
  if (state === 'create' || state === 'update') return 'planned'
  return state
}

async function readSource(
  options: MigrateOptions,
  cache: ValueCache,
  onRead: () => void,
): Promise<{sources: SourceItem[]; extraItems: PlanItem[]}> {
  const sources: SourceItem[] = []
  const {source} = options
  if (source.kind === 'ssm') {
    for await (const page of source.parameters.pages(source.path)) {
      for (const parameter of page) {
        sources.push({name: parameter.name, type: parameter.type, digest: digestOf(parameter.value.bytes), byteLength: parameter.value.byteLength})
        cache.offer(parameter.name, parameter.value)
        onRead()
      }
    }

    // Pages come in the service's order; the plan is shown sorted so runs compare line by line.
    sources.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    return {sources, extraItems: []}
  }

  const file = readDotenv(source.text)
  if (file.duplicates.length > 0) throw duplicateKeysError(source.file, file.duplicates)
  for (const entry of file.entries) {
    sources.push({name: entry.key, line: entry.line, digest: digestOf(entry.value.bytes), byteLength: entry.value.byteLength})
    cache.keep(entry.key, entry.value)
    onRead()
  }

  // Lines dotenv cannot read as KEY=VALUE would be lost silently: they are reported as invalid items.
  const extraItems: PlanItem[] = file.ignoredLines.map((line) => ({
    source: {name: `line ${line}`, line, digest: '', byteLength: 0},
    state: 'invalid',
    reason: 'dotenv does not read this line as KEY=VALUE (a key is letters, digits, _ . and -); it was not migrated',
  }))
  if (sources.length === 0 && extraItems.length === 0) throw new UsageError(`${source.file} has no KEY=VALUE entries; nothing to migrate.`)
  return {sources, extraItems}
}

async function writeAll(
  store: SecretStore,
  options: MigrateOptions,
  toWrite: Working[],
  cache: ValueCache,
  progress: MigrationProgress,
  emit: (phase?: MigrationPhase) => void,
): Promise<boolean> {
  if (toWrite.length === 0) return false
  emit('writing')
  const limit = pLimit(Math.max(1, options.concurrency))
  const sourceKind = options.source.kind
  const sourceFile = options.source.kind === 'dotenv' ? basename(options.source.file) : undefined
  const recheck: Working[] = []
  for (let start = 0; start < toWrite.length; start += WRITE_CHUNK) {
    if (options.signal?.aborted) break
    const chunk = toWrite.slice(start, start + WRITE_CHUNK)
    const values = await valuesFor(options.source, chunk, cache)
    await Promise.all(
      chunk.map((entry) =>
        limit(async () => {
          if (options.signal?.aborted) return
          const value = values.get(entry.item.source.name)
          if (value === undefined) {
            fail(entry.report, progress, 'the source changed or disappeared after it was read; run the command again')
            return
          }

          const target = entry.item.target as string
          const creating = entry.item.state === 'create'
          try {
            const result = await store.write(
              target,
              value,
              writeOptions(target, creating, options.onConflict, entry.previous?.versionId, {
                tags: sourceTags(sourceKind, entry.item.source, sourceFile),
                kmsKeyId: options.kmsKeyId,
                description: options.description,
              }),
            )
            entry.report.outcome = result.outcome
            if (result.versionId) entry.report.versionId = result.versionId
            progress.written += 1
          } catch (error) {
            const failure = error instanceof SecretsError ? error : undefined
            if (creating && failure?.exitCode === ExitCode.conflict) {
              // The plan thought it absent (a listing that lagged, or another writer): look again below.
              entry.report.reason = failure.message
              recheck.push(entry)
            } else {
              fail(entry.report, progress, writeFailureReason(error), error)
            }
          } finally {
            cache.drop(entry.item.source.name)
            values.delete(entry.item.source.name)
            emit()
          }
        }),
      ),
    )
  }

  await settleRechecks(store, options, recheck, progress)
  const interrupted = Boolean(options.signal?.aborted)
  if (interrupted) {
    for (const entry of toWrite) {
      if (entry.report.outcome === 'planned') {
        entry.report.outcome = 'not-run'
        entry.report.reason = 'interrupted before this item was written'
      }
    }
  }

  return interrupted
}

/**
 * Creates that found the secret already there: identical value means the item is `unchanged` (e.g. a
 * killed run had written it and the listing had not caught up); otherwise it is a conflict.
 */
async function settleRechecks(store: SecretStore, options: MigrateOptions, recheck: Working[], progress: MigrationProgress): Promise<void> {
  if (recheck.length === 0) return
  const {values} = await store.getMany(recheck.map(({item}) => item.target as string))
  for (const entry of recheck) {
    const value = values.get(entry.item.target as string)
    if (value !== undefined && digestOf(value.bytes) === entry.item.source.digest) {
      entry.report.outcome = 'unchanged'
      delete entry.report.reason
    } else if (value !== undefined && options.onConflict === 'skip') {
      entry.report.outcome = 'skipped'
      entry.report.reason = 'the secret appeared with a different value after the plan; skipped (--on-conflict skip)'
    } else {
      fail(entry.report, progress, entry.report.reason ?? 'the secret already exists', new ConflictError(entry.report.reason ?? 'exists'))
    }
  }
}

/** Fails an item (see `markFailed`) and counts it in the progress. */
function fail(report: ItemReport, progress: MigrationProgress, reason: string, error?: unknown): void {
  markFailed(report, reason, error)
  progress.failed += 1
}

/** Values for one chunk of writes: from memory, or read again from SSM and checked against the plan. */
async function valuesFor(source: MigrationSource, chunk: Working[], cache: ValueCache): Promise<Map<string, SecretValue>> {
  const values = new Map<string, SecretValue>()
  const missing: Working[] = []
  for (const entry of chunk) {
    const value = cache.get(entry.item.source.name)
    if (value) values.set(entry.item.source.name, value)
    else missing.push(entry)
  }

  if (missing.length > 0 && source.kind === 'ssm') {
    const reread = await source.parameters.read(missing.map((entry) => entry.item.source.name))
    for (const entry of missing) {
      const parameter = reread.get(entry.item.source.name)
      // Written only if it is still the value that was planned; otherwise the item fails and a re-run re-plans it.
      if (parameter && digestOf(parameter.value.bytes) === entry.item.source.digest) values.set(entry.item.source.name, parameter.value)
    }
  }

  return values
}

/** Reads every written target back (20 a call) and compares it with the source's digest. */
async function verify(store: SecretStore, working: Working[], progress: MigrationProgress, emit: (phase?: MigrationPhase) => void): Promise<void> {
  const written = working.filter(({report}) => wasWritten(report))
  if (written.length === 0) return
  emit('verifying')
  const readBack = await verifyWritten(
    store,
    written.map(({item, report}) => ({item: report, target: item.target as string, digest: item.source.digest})),
    (report, reason, error) => fail(report, progress, reason, error),
  )
  if (!readBack) return
  progress.verified += written.filter(({report}) => report.verified).length
  emit()
}

/**
 * Deletes SSM parameters whose target is verified equal: written and read back in this run, or found
 * `unchanged` by the plan's read. Never a failed, skipped or unverified item.
 */
async function deleteVerifiedSources(
  parameters: ParameterSource,
  working: Working[],
  progress: MigrationProgress,
  emit: (phase?: MigrationPhase) => void,
): Promise<SecretsError | undefined> {
  const verified = working.filter(({report}) => report.verified === true || report.outcome === 'unchanged')
  if (verified.length === 0) return undefined
  emit('deleting')
  try {
    const deleted = new Set(await parameters.delete(verified.map(({item}) => item.source.name)))
    for (const {item, report} of verified) {
      report.sourceDeleted = deleted.has(item.source.name)
      if (report.sourceDeleted) progress.deleted += 1
    }
  } catch (error) {
    return error instanceof SecretsError ? error : new SecretsError('Deleting the source parameters failed.', {code: 'UNEXPECTED', exitCode: ExitCode.unexpected, cause: error})
  }

  emit()
  return undefined
}

/** True when secrets tagged as migrated from parameters under `path` exist where this run would write. */
async function migratedEarlierFrom(store: SecretStore, path: string, to: Scope | undefined): Promise<boolean> {
  const under = `${path.replace(/\/+$/, '')}/`
  for await (const secret of store.list(to ? to.prefix : under)) {
    const from = secret.tags['secrets:source-name']
    if (secret.tags['secrets:migrated-from'] === 'ssm' && from !== undefined && (from.startsWith(under) || from === path)) return true
  }

  return false
}

/**
 * Tags naming where a secret came from. Tag values allow letters, digits, spaces and `_ . : / = + - @`
 * and at most 256 characters, so anything else becomes `_`.
 */
function sourceTags(kind: SourceKind, source: SourceItem, file?: string): Record<string, string> {
  const clean = (text: string) => text.replaceAll(/[^\p{L}\p{N} _.:/=+\-@]/gu, '_').slice(0, 256)
  const tags: Record<string, string> = {
    'secrets:migrated-from': kind,
    'secrets:source-name': clean(kind === 'ssm' ? source.name : `${file}:${source.name}`),
  }
  if (source.type) tags['secrets:ssm-type'] = source.type
  return tags
}

function buildReport(options: MigrateOptions, working: Working[], interrupted: boolean, deleteError?: SecretsError): MigrationReport {
  const totals = {
    items: working.length,
    created: 0,
    updated: 0,
    unchanged: 0,
    planned: 0,
    skipped: 0,
    conflict: 0,
    collision: 0,
    unmapped: 0,
    invalid: 0,
    failed: 0,
    'not-run': 0,
    sourcesDeleted: 0,
  }
  for (const {report} of working) {
    totals[report.outcome] += 1
    if (report.sourceDeleted) totals.sourcesDeleted += 1
  }

  const {source} = options
  const sourceName = source.kind === 'ssm' ? source.path : source.file
  const firstFailure = firstFailureCode(working.map(({report}) => report))
  let exitCode: ExitCodeValue = ExitCode.ok
  let hint: string | undefined
  if (interrupted) {
    exitCode = ExitCode.interrupted
    hint = 'Run the same command again to finish: items already written will show as unchanged and nothing is written twice.'
  } else if (firstFailure !== undefined || totals.failed > 0) {
    exitCode = firstFailure ?? ExitCode.unexpected
    hint = 'Fix the cause shown for the failed items and run the same command again; finished items show as unchanged.'
  } else if (deleteError) {
    exitCode = deleteError.exitCode
    hint = `Every item migrated, but deleting the sources failed (${deleteError.message}); run the same command again to retry the deletion.`
  } else if (totals.conflict > 0 || totals.skipped > 0) {
    exitCode = ExitCode.conflict
    hint =
      totals.conflict > 0
        ? 'Run again with --on-conflict overwrite to add new versions (the old values stay as AWSPREVIOUS), or --on-conflict skip to leave those secrets alone.'
        : SKIPPED_HINT
  } else if (totals.collision > 0 || totals.unmapped > 0 || totals.invalid > 0) {
    exitCode = ExitCode.usage
    hint =
      totals.collision > 0
        ? 'Nothing was written. Give the colliding sources distinct last segments, or migrate each path separately with its own --to.'
        : totals.unmapped > 0
          ? 'Pass --to ENV/SERVICE to map parameters by their last path segment, or migrate a narrower path.'
          : 'Rename the invalid keys or parameters and run the same command again; the valid items were migrated.'
  } else if (source.kind === 'dotenv' && !options.dryRun) {
    hint = `${source.file} was not modified. Delete it once your application reads these secrets from Secrets Manager.`
  }

  if (options.dryRun && exitCode === ExitCode.ok) hint = 'Dry run: nothing was written. Run again without --dry-run to migrate.'
  const summary = summarize(totals, options.dryRun, interrupted)
  return {
    source: {kind: source.kind, name: sourceName},
    ...(options.to ? {to: options.to.toString()} : {}),
    dryRun: options.dryRun,
    onConflict: options.onConflict,
    deleteSource: options.deleteSource,
    interrupted,
    items: working.map(({report}) => report),
    totals,
    exitCode,
    summary,
    ...(hint ? {hint} : {}),
  }
}

function summarize(totals: MigrationReport['totals'], dryRun: boolean, interrupted: boolean): string {
  return summaryLine(dryRun ? 'Dry run' : interrupted ? 'Interrupted' : 'Migration', totals.items, 'item', [
    ['created', totals.created],
    ['updated', totals.updated],
    ['unchanged', totals.unchanged],
    [dryRun ? 'to write' : 'planned', totals.planned],
    ['skipped', totals.skipped],
    ['conflict', totals.conflict],
    ['collision', totals.collision],
    ['unmapped', totals.unmapped],
    ['invalid', totals.invalid],
    ['failed', totals.failed],
    ['not run', totals['not-run']],
    ['sources deleted', totals.sourcesDeleted],
  ])
}

/**
 * Source values held between reading and writing, up to a byte budget; past it, values are dropped
 * and read again when their write comes, so memory stays flat however many parameters there are.
 */
class ValueCache {
  private readonly values = new Map<string, SecretValue>()
  private bytes = 0

  constructor(private readonly budget: number) {}

  offer(name: string, value: SecretValue): void {
    if (this.bytes + value.byteLength > this.budget) return
    this.keep(name, value)
  }

  keep(name: string, value: SecretValue): void {
    this.values.set(name, value)
    this.bytes += value.byteLength
  }

  get(name: string): SecretValue | undefined {
    return this.values.get(name)
  }

  drop(name: string): void {
    const value = this.values.get(name)
    if (value === undefined) return
    this.values.delete(name)
    this.bytes -= value.byteLength
  }
}
