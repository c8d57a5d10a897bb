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
import type {SecretScanner} from '../core/audit/variables.js'
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

/**
 * Which items of the source a run takes; the rest are not touched (not written, never deleted).
 * Without any of these, every item is selected.
 */
export interface MigrationSelection {
  /**
   * Exact names (--only): an SSM parameter's name below the --from-ssm path (`SMTP_PASSWORD`,
   * `db/PASSWORD`) or its full name (`/prod/billing/SMTP_PASSWORD`); a .env key.
   */
  only?: readonly string[]
  /** SSM types to take (--type): String, StringList, SecureString. */
  types?: readonly string[]
  /** Take only what `secrets audit` would report as a secret (--secrets-only); the plan says why. */
  secretsOnly?: boolean
  /** The scanner behind --secrets-only; secretlint's recommended preset, as audit uses, by default. */
  scan?: SecretScanner
}

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
  /** Which items to take (--only, --type, --secrets-only); every item when absent. */
  select?: MigrationSelection
  /**
   * Asked once, after the writes verified and before the first deletion, with the sources about to be
   * deleted; false keeps every source. Absent: the --delete-source flag was the decision (a pipeline).
   */
  confirmDeletion?: (sources: readonly string[]) => Promise<boolean>
  concurrency: number
  /** Aborting stops new writes; writes in flight finish, are verified and reported. Abort with 'SIGTERM' as the reason to exit 143. */
  signal?: AbortSignal
  /**
   * Bytes of source values kept in memory between reading and writing. Past it, only names and
   * digests are kept and values are read again from SSM (10 a call) just before their write.
   */
  valueCacheBytes?: number
  onProgress?: (progress: MigrationProgress) => void
  /** Called once with the plan, before anything is written (items as planned, names only). */
  onPlan?: (items: readonly ItemReport[], plan: {sourcesToDelete: readonly string[]; notSelected: number}) => void
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
  | 'left'

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
  /** Why --secrets-only took it: the audit's finding, in words. */
  selected?: string
  /** Why a source that --delete-source would have deleted was kept (it changed, the target did, or the user said no). */
  sourceKept?: string
}

export interface MigrationReport {
  source: {kind: SourceKind; name: string}
  to?: string
  dryRun: boolean
  onConflict: ConflictPolicy
  deleteSource: boolean
  interrupted: boolean
  items: ItemReport[]
  /**
   * With --delete-source: every source the plan would delete once its secret verifies (all of them
   * are listed in the plan and the dry run before anything happens).
   */
  sourcesToDelete: string[]
  totals: Record<ItemOutcome, number> & {items: number; sourcesDeleted: number; sourcesKept: number; notSelected: number}
  /**
   * 0 when every item is created, updated, unchanged, skipped or left (or, in a dry run, would be),
   * also when deleting the sources was declined; see the command's help for the others.
   */
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
  const read = await readSource(options, cache, () => {
    progress.read += 1
    if (progress.read % 50 === 0) emit()
  })
  const {sources, extraItems, notSelected} = read
  const missingOnly = await unmatchedOnly(store, options, read.matchedOnly)
  if (sources.length === 0 && extraItems.length === 0 && options.source.kind === 'ssm') {
    // An empty path is what a finished --delete-source run leaves: running the same command again
    // must succeed, not fail, when the path's parameters are already secrets migrated from it.
    const {path} = options.source
    if (notSelected === 0 && missingOnly.migrated.length === 0 && !(await migratedEarlierFrom(store, path, options.to))) {
      throw new NotFoundError(
        `No SSM parameters were found under ${path}.`,
        `Check the path (it is a prefix of parameter names, e.g. /prod/billing) with: aws ssm get-parameters-by-path --path ${path} --recursive --query 'Parameters[].Name'`,
      )
    }

    emit('done')
    const hint =
      missingOnly.migrated.length > 0
        ? `Nothing left to do: ${missingOnly.migrated.join(', ')} ${missingOnly.migrated.length === 1 ? 'was' : 'were'} migrated earlier and the parameter deleted.`
        : notSelected > 0
          ? `No parameter under ${path} was selected (${notSelected} not selected by --only/--type); nothing was written or deleted.`
          : `Nothing is left under ${path}: an earlier run migrated its parameters and deleted them.`
    return {...buildReport(options, [], false, {notSelected}), hint}
  }

  // Plan: map names, then one batched read of the targets (20 a call), keeping only digests.
  const mapped = mapSources(sources, (source) =>
    options.source.kind === 'ssm' ? mapSsmName(source.name, options.to) : mapDotenvKey(source.name, options.to as Scope),
  )
  const targets = await readTargets(store, targetsToRead(mapped))

  const planned = [...classify(mapped, targets), ...extraItems]
  // A .env plan reads in file order, with skipped lines where they are; an SSM plan by name.
  if (options.source.kind === 'dotenv') planned.sort((a, b) => (a.source.line ?? 0) - (b.source.line ?? 0))
  else planned.sort((a, b) => (a.source.name < b.source.name ? -1 : a.source.name > b.source.name ? 1 : 0))
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
      ...(item.source.selected === undefined ? {} : {selected: item.source.selected}),
    },
  }))
  progress.planned = working.length

  const collisions = working.some(({item}) => item.state === 'collision')
  // A target scheduled for deletion cannot be written (CreateSecret and PutSecretValue both refuse):
  // it blocks the plan, whatever --on-conflict says, until it is restored.
  const scheduled = working.some(({item}) => item.state === 'conflict')
  const blockingConflicts = options.onConflict === 'fail' && working.some(({item}) => item.state === 'update')
  for (const {item, report} of working) if (item.state === 'update') applyConflictPolicy(report, options.onConflict)
  const blocked = collisions || scheduled || blockingConflicts

  const toWrite = working.filter(({report}) => report.outcome === 'planned')
  for (const {item, report} of working) if (report.outcome !== 'planned') cache.drop(item.source.name)
  progress.toWrite = toWrite.length
  const sourcesToDelete =
    options.deleteSource && options.source.kind === 'ssm' && !blocked
      ? working.filter(({report}) => report.outcome === 'planned' || report.outcome === 'unchanged').map(({item}) => item.source.name)
      : []
  options.onPlan?.(
    working.map(({report}) => ({...report})),
    {sourcesToDelete, notSelected},
  )
  emit('planned')

  let interrupted = false
  let deletion: DeletionResult = {}
  if (blocked) {
    markNotRun(
      toWrite.map(({report}) => report),
      collisions ? 'two sources map to one secret' : scheduled ? 'a target is scheduled for deletion' : CONFLICT_BLOCKS,
    )
  } else if (!options.dryRun) {
    interrupted = await writeAll(store, options, toWrite, cache, progress, emit)
    await verify(store, working, progress, emit)
    if (options.deleteSource && options.source.kind === 'ssm' && !interrupted) {
      deletion = await deleteVerifiedSources(store, options.source.parameters, working, progress, emit, options.confirmDeletion, options.signal)
    }
  }

  emit('done')
  return buildReport(options, working, interrupted || Boolean(deletion.interrupted), {...deletion, notSelected, sourcesToDelete})
}

/**
 * --only names that matched nothing. One whose parameter was migrated earlier (a secret tagged with
 * its name exists where this run writes) is done, so running a printed fix twice succeeds; any other
 * is an error before anything is written: a typo must not quietly migrate nothing.
 */
async function unmatchedOnly(store: SecretStore, options: MigrateOptions, matched: ReadonlySet<string>): Promise<{migrated: string[]}> {
  const unmatched = (options.select?.only ?? []).filter((name) => !matched.has(name))
  if (unmatched.length === 0) return {migrated: []}
  const {source} = options
  const migrated: string[] = []
  const missing: string[] = []
  for (const name of unmatched) {
    if (source.kind === 'ssm' && (await migratedEarlier(store, fullParameterName(source.path, name), options.to))) migrated.push(name)
    else missing.push(name)
  }

  if (missing.length > 0) {
    const where = source.kind === 'ssm' ? `under ${source.path}` : `in ${source.file}`
    throw new NotFoundError(
      `--only ${missing.join(', ')}: no such ${source.kind === 'ssm' ? 'parameter' : 'key'} ${where}; nothing was written or deleted.`,
      source.kind === 'ssm'
        ? `--only takes a name below the path (e.g. SMTP_PASSWORD for ${source.path}/SMTP_PASSWORD) or a full name. List them with: aws ssm get-parameters-by-path --path ${source.path} --recursive --query 'Parameters[].Name'`
        : '--only takes a key of the file exactly as written (case matters).',
    )
  }

  return {migrated}
}

/** `/prod/billing` + `SMTP_PASSWORD` -> `/prod/billing/SMTP_PASSWORD`; a full name stays as it is. */
function fullParameterName(path: string, name: string): string {
  if (name.startsWith('/')) return name
  return path === '/' ? `/${name}` : `${path}/${name}`
}

/** A parameter's name below `path` (what --only matches besides the full name). */
function relativeParameterName(path: string, name: string): string {
  if (path === '/') return name.replace(/^\//, '')
  return name.startsWith(`${path}/`) ? name.slice(path.length + 1) : name
}

/**
 * The current state of the targets that exist. When the targets share few scopes, one listing per
 * scope (100 names a call, including secrets scheduled for deletion) first says which exist, so a
 * fresh migration reads no values at all; otherwise every target is read in batches of 20. Listing is
 * eventually consistent on AWS: a secret it misses is caught at write time (see `recheck`).
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
      for await (const secret of store.list(prefix, {includeDeleted: true})) {
        if (!wanted.has(secret.name)) continue
        if (secret.deletedDate) targets.set(secret.name, {digest: '', scheduledForDeletion: true})
        else existing.push(secret.name)
      }
    }
  }

  if (existing.length > 0) {
    const {values, versionIds, scheduled} = await store.getMany(existing)
    for (const [name, value] of values) targets.set(name, {digest: digestOf(value.bytes), versionId: versionIds?.get(name)})
    for (const name of scheduled ?? []) targets.set(name, {digest: '', scheduledForDeletion: true})
  }

  return targets
}

function initialOutcome(state: PlanState): ItemOutcome {
  if (state === 'create' || state === 'update') return 'planned'
  return state
}

interface ReadResult {
  sources: SourceItem[]
  /** Items reported but never written: .env lines dotenv cannot read, and items --secrets-only left. */
  extraItems: PlanItem[]
  /** Items --only or --type did not select: not in the plan, never touched. */
  notSelected: number
  /** The --only names that matched an item. */
  matchedOnly: Set<string>
}

async function readSource(options: MigrateOptions, cache: ValueCache, onRead: () => void): Promise<ReadResult> {
  const sources: SourceItem[] = []
  const extraItems: PlanItem[] = []
  const matchedOnly = new Set<string>()
  let notSelected = 0
  const {source} = options
  const select = options.select ?? {}
  const only = select.only && select.only.length > 0 ? new Set(select.only) : undefined
  const types = select.types && select.types.length > 0 ? new Set(select.types) : undefined
  // The audit's own rules decide what --secrets-only takes; loaded only when asked for.
  const judge = select.secretsOnly ? await import('../core/audit/inspect.js') : undefined
  const scan = select.secretsOnly ? (select.scan ?? (await import('../core/audit/secret-scan.js')).scanManyForSecrets) : undefined
  const leave = (item: SourceItem, why: string) =>
    extraItems.push({source: item, state: 'left', reason: `left in place: not a secret by the audit's rules (${why})`})

  if (source.kind === 'ssm') {
    for await (const page of source.parameters.pages(source.path)) {
      for (let counted = 0; counted < page.length; counted++) onRead()
      const chosen = page.filter((parameter) => {
        const names = [relativeParameterName(source.path, parameter.name), parameter.name]
        const byName = only === undefined || names.some((name) => only.has(name))
        if (only) for (const name of names) if (only.has(name)) matchedOnly.add(name)
        return byName && (types === undefined || types.has(parameter.type))
      })
      notSelected += page.length - chosen.length
      const verdicts =
        judge && scan
          ? await judge.judgeParameters(
              chosen.map((parameter) => ({name: parameter.name, type: parameter.type, value: parameter.value.text})),
              scan,
            )
          : undefined
      for (const [index, parameter] of chosen.entries()) {
        const item: SourceItem = {name: parameter.name, type: parameter.type, digest: digestOf(parameter.value.bytes), byteLength: parameter.value.byteLength}
        const verdict = verdicts?.[index]
        if (verdict && !verdict.secret) {
          leave(item, verdict.detail)
          continue
        }

        if (verdict) item.selected = verdict.detail
        sources.push(item)
        cache.offer(parameter.name, parameter.value)
      }
    }

    // Pages come in the service's order; the plan is shown sorted so runs compare line by line.
    sources.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    return {sources, extraItems, notSelected, matchedOnly}
  }

  const file = readDotenv(source.text)
  if (file.duplicates.length > 0) throw duplicateKeysError(source.file, file.duplicates)
  const entries = file.entries.filter((entry) => {
    if (only === undefined) return true
    if (only.has(entry.key)) matchedOnly.add(entry.key)
    return only.has(entry.key)
  })
  notSelected += file.entries.length - entries.length
  const verdicts =
    judge && scan ? await (await import('../core/audit/variables.js')).classifyVariables(entries.map((entry) => ({name: entry.key, value: entry.value.text ?? ''})), scan) : undefined
  for (const [index, entry] of entries.entries()) {
    const item: SourceItem = {name: entry.key, line: entry.line, digest: digestOf(entry.value.bytes), byteLength: entry.value.byteLength}
    const verdict = verdicts?.[index]
    onRead()
    if (verdict && judge) {
      const why = judge.describeVerdict(verdict)
      if (verdict.kind === 'clean') {
        leave(item, why)
        continue
      }

      item.selected = why
    }

    sources.push(item)
    cache.keep(entry.key, entry.value)
  }

  // Lines dotenv cannot read as KEY=VALUE would be lost silently: they are reported as invalid items.
  // So are lines dotenv reads as a key that could be a secret (a base64 line of an unquoted PEM key):
  // named by their line number only, never written.
  for (const line of file.ignoredLines) {
    extraItems.push({
      source: {name: `line ${line}`, line, digest: '', byteLength: 0},
      state: 'invalid',
      reason: 'dotenv does not read this line as KEY=VALUE (a key is letters, digits, _ . and -); it was not migrated',
    })
  }

  for (const {key, line} of file.truncated) {
    if (only && !only.has(key)) continue
    matchedOnly.add(key)
    extraItems.push({
      source: {name: key, line, digest: '', byteLength: 0},
      state: 'invalid',
      reason: 'the value is only the first line of an unquoted multi-line PEM block; quote the whole value in double quotes to migrate it',
    })
  }

  for (const {line, reason} of file.suspectLines) {
    extraItems.push({source: {name: `line ${line}`, line, digest: '', byteLength: 0}, state: 'invalid', reason})
  }

  if (file.entries.length === 0 && extraItems.length === 0) throw new UsageError(`${source.file} has no KEY=VALUE entries; nothing to migrate.`)
  return {sources, extraItems, notSelected, matchedOnly}
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

/** What the deletion step did, for the report. */
interface DeletionResult {
  error?: SecretsError
  /** The user answered no at the prompt: every source kept. */
  declined?: boolean
  /** Sources kept because they, or their secrets, changed after they were read. */
  changed?: number
  /** Ctrl-C came while deleting: the batches not yet deleted were kept. */
  interrupted?: boolean
}

/** SSM's batch size for GetParameters and DeleteParameters. */
const DELETE_BATCH = 10

/**
 * Deletes SSM parameters whose target holds exactly their value: written and read back in this run,
 * or found `unchanged` by the plan's read. Never a failed, skipped or unverified item. Just before
 * each batch of 10 is deleted, the parameters and their secrets are read again: a parameter whose
 * value changed since it was read (its new value is in no secret), or whose secret no longer holds its
 * value (deleted, or overwritten, meanwhile), is kept and the item says why.
 */
async function deleteVerifiedSources(
  store: SecretStore,
  parameters: ParameterSource,
  working: Working[],
  progress: MigrationProgress,
  emit: (phase?: MigrationPhase) => void,
  confirm: MigrateOptions['confirmDeletion'],
  signal: AbortSignal | undefined,
): Promise<DeletionResult> {
  const verified = working.filter(({report}) => report.verified === true || report.outcome === 'unchanged')
  if (verified.length === 0) return {}
  if (confirm && !(await confirm(verified.map(({item}) => item.source.name)))) {
    for (const {report} of verified) {
      report.sourceKept = 'kept: you answered no to deleting the sources'
      report.sourceDeleted = false
    }

    return {declined: true}
  }

  emit('deleting')
  let changed = 0
  let interrupted = false
  try {
    for (let start = 0; start < verified.length; start += DELETE_BATCH) {
      const batch = verified.slice(start, start + DELETE_BATCH)
      if (signal?.aborted) {
        interrupted = true
        for (const {report} of batch) {
          report.sourceKept = 'kept: interrupted before this source was deleted'
          report.sourceDeleted = false
        }

        continue
      }

      const [current, targets] = await Promise.all([
        parameters.read(batch.map(({item}) => item.source.name)),
        store.getMany(batch.map(({item}) => item.target as string)),
      ])
      const safe = batch.filter(({item, report}) => {
        const now = current.get(item.source.name)
        const target = targets.values.get(item.target as string)
        if (now === undefined) {
          // Someone else deleted it meanwhile; its value is in the verified secret, so nothing is lost.
          report.sourceDeleted = false
          report.reason = 'the parameter was already gone when its deletion came (deleted by another writer)'
          return false
        }

        if (digestOf(now.value.bytes) !== item.source.digest) {
          report.sourceKept = 'kept: the parameter changed after it was read, and its new value is in no secret'
        } else if (target === undefined || digestOf(target.bytes) !== item.source.digest) {
          report.sourceKept = `kept: ${item.target} no longer holds the parameter's value (deleted or changed during the run)`
        } else return true
        report.sourceDeleted = false
        changed += 1
        return false
      })
      if (safe.length === 0) continue
      const deleted = new Set(await parameters.delete(safe.map(({item}) => item.source.name)))
      for (const {item, report} of safe) {
        report.sourceDeleted = deleted.has(item.source.name)
        if (report.sourceDeleted) progress.deleted += 1
      }

      emit()
    }
  } catch (error) {
    return {
      changed,
      error: error instanceof SecretsError ? error : new SecretsError('Deleting the source parameters failed.', {code: 'UNEXPECTED', exitCode: ExitCode.unexpected, cause: error}),
    }
  }

  return {changed, interrupted}
}

/** True when a secret tagged as migrated from the parameter `name` exists where this run would write. */
async function migratedEarlier(store: SecretStore, name: string, to: Scope | undefined): Promise<boolean> {
  const mapping = mapSsmName(name, to)
  if (mapping.state !== 'mapped') return false
  for await (const secret of store.list(mapping.target)) {
    if (secret.name === mapping.target && secret.tags['secrets:migrated-from'] === 'ssm' && secret.tags['secrets:source-name'] === name) return true
  }

  return false
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

interface ReportExtras extends DeletionResult {
  notSelected?: number
  sourcesToDelete?: string[]
}

function buildReport(options: MigrateOptions, working: Working[], interrupted: boolean, extras: ReportExtras = {}): MigrationReport {
  const deleteError = extras.error
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
    left: 0,
    sourcesDeleted: 0,
    sourcesKept: 0,
    notSelected: extras.notSelected ?? 0,
  }
  const changedDuringRun = extras.changed ?? 0
  for (const {report} of working) {
    totals[report.outcome] += 1
    if (report.sourceDeleted) totals.sourcesDeleted += 1
    if (report.sourceKept !== undefined) totals.sourcesKept += 1
  }

  const {source} = options
  const sourceName = source.kind === 'ssm' ? source.path : source.file
  const firstFailure = firstFailureCode(working.map(({report}) => report))
  const conflicts = working.filter(({report}) => report.outcome === 'conflict')
  const scheduled = conflicts.filter(({item}) => item.state === 'conflict')
  let exitCode: ExitCodeValue = ExitCode.ok
  let hint: string | undefined
  if (interrupted) {
    // The abort's reason names the signal that stopped the run (the command passes it): 143 for SIGTERM.
    exitCode = options.signal?.reason === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted
    hint = 'Run the same command again to finish: items already written will show as unchanged and nothing is written twice.'
  } else if (firstFailure !== undefined || totals.failed > 0) {
    exitCode = firstFailure ?? ExitCode.unexpected
    hint = 'Fix the cause shown for the failed items and run the same command again; finished items show as unchanged.'
  } else if (deleteError) {
    exitCode = deleteError.exitCode
    hint = `Every item migrated, but deleting the sources failed (${deleteError.message}); run the same command again to retry the deletion.`
  } else if (scheduled.length > 0) {
    exitCode = ExitCode.conflict
    const names = scheduled.map(({item}) => item.target as string)
    hint = `Nothing was written: ${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} scheduled for deletion. If ${names.length === 1 ? 'it was' : 'they were'} deleted by mistake, run ${names
      .map((name) => `"secrets restore ${name}"`)
      .join(', ')} and then this command again; otherwise migrate ${names.length === 1 ? 'that source' : 'those sources'} to another name.`
  } else if (totals.conflict > 0) {
    exitCode = ExitCode.conflict
    hint = conflictHint(conflicts.map(({item}) => item.target as string))
  } else if (changedDuringRun > 0) {
    exitCode = ExitCode.conflict
    hint = `${changedDuringRun} source${changedDuringRun === 1 ? '' : 's'} changed (or ${changedDuringRun === 1 ? 'its' : 'their'} secret did) while this ran and ${changedDuringRun === 1 ? 'was' : 'were'} kept, not deleted: run the same command again. A source whose secret now holds its older value plans as an update: check it with "secrets get", then move the new value with --only NAME --on-conflict overwrite.`
  } else if (totals.collision > 0 || totals.unmapped > 0 || totals.invalid > 0) {
    exitCode = ExitCode.usage
    hint =
      totals.collision > 0
        ? 'Nothing was written. Give the colliding sources distinct last segments, or migrate each path separately with its own --to.'
        : totals.unmapped > 0
          ? 'Pass --to ENV/SERVICE to map parameters by their last path segment, or migrate a narrower path.'
          : 'Fix the invalid items (rename keys, quote multi-line values) and run the same command again; the valid items were migrated.'
  } else if (extras.declined) {
    hint = 'Every source was kept, as you answered no. Run the same command again to delete them: migrated items plan as unchanged.'
  } else if (totals.skipped > 0) {
    // --on-conflict skip did what was asked: exit 0, and the report names what was left alone.
    hint = SKIPPED_HINT
  } else if (source.kind === 'dotenv' && !options.dryRun) {
    hint = `${source.file} was not modified. Delete it once your application reads these secrets from Secrets Manager.`
  }

  if (options.dryRun && exitCode === ExitCode.ok) hint = 'Dry run: nothing was written. Run again without --dry-run to migrate.'
  const sourcesToDelete = extras.sourcesToDelete ?? []
  const summary = summarize(totals, options.dryRun, interrupted, sourcesToDelete.length)
  return {
    source: {kind: source.kind, name: sourceName},
    ...(options.to ? {to: options.to.toString()} : {}),
    dryRun: options.dryRun,
    onConflict: options.onConflict,
    deleteSource: options.deleteSource,
    interrupted,
    items: working.map(({report}) => report),
    sourcesToDelete,
    totals,
    exitCode,
    summary,
    ...(hint ? {hint} : {}),
  }
}

/**
 * The next step for targets holding another value. Values often differ between a source and its
 * target on purpose, so the safe options come first; overwrite last, saying what it replaces.
 */
function conflictHint(targets: string[]): string {
  const shown = targets.length <= 3 ? targets.join(', ') : `${targets.slice(0, 3).join(', ')} and ${targets.length - 3} more`
  return (
    `Nothing was written: ${shown} already ${targets.length === 1 ? 'holds' : 'hold'} another value. ` +
    'To move only some items, name them with --only NAME; to migrate the rest and leave these secrets as they are, use --on-conflict skip. ' +
    `Only if the source's value should win: --on-conflict overwrite replaces the current value of ${shown} (the old one stays as AWSPREVIOUS).`
  )
}

const sourcesLabel = (count: number, what: string) => `source${count === 1 ? '' : 's'} ${what}`

function summarize(totals: MigrationReport['totals'], dryRun: boolean, interrupted: boolean, toDelete: number): string {
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
    ['left in place (not secrets)', totals.left],
    [dryRun ? sourcesLabel(toDelete, 'to delete') : sourcesLabel(totals.sourcesDeleted, 'deleted'), dryRun ? toDelete : totals.sourcesDeleted],
    [sourcesLabel(totals.sourcesKept, 'kept'), totals.sourcesKept],
    ['not selected', totals.notSelected],
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
