import pLimit from 'p-limit'

import type {Scope} from '../core/address.js'
import {countPlan, planPromotion, type PromotePlanItem, type PromoteState, type TargetDigest} from '../core/env-compare.js'
import {type CostEstimate, estimateCost, estimateWriteCalls} from '../core/cost.js'
import {ExitCode, type ExitCodeValue, NotFoundError, UsageError} from '../core/errors.js'
import {digestOf, scheduledReason} from '../core/migration-plan.js'
import type {SecretValue} from '../core/secret-value.js'
import {noun} from '../core/words.js'
import {readScope} from '../stores/read-scope.js'
import type {SecretStore} from '../stores/secret-store.js'
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

export interface PromoteOptions {
  from: Scope
  to: Scope
  /** Short names to promote (--secret); every secret of `from` when empty or absent. */
  secrets?: string[]
  onConflict: ConflictPolicy
  /** Writes in flight at once. */
  concurrency?: number
  /** TO's replica regions and price per secret, for the plan's cost estimate. */
  pricing?: {replicaRegions: number; pricePerSecret?: number}
}

/**
 * What happened to one secret. `planned` before (or instead of, in a dry run) the write; `not-run`
 * when the plan had a problem and nothing was written.
 */
export type PromoteOutcome = 'created' | 'updated' | 'unchanged' | 'planned' | 'skipped' | 'conflict' | 'missing-source' | 'failed' | 'not-run'

/** One line of the report: names and outcomes, never a value nor a digest of one. */
export interface PromoteItem {
  name: string
  source: string
  target: string
  plan: PromoteState
  outcome: PromoteOutcome
  reason?: string
  versionId?: string
  verified?: boolean
}

export interface PromoteReport {
  from: string
  to: string
  dryRun: boolean
  onConflict: ConflictPolicy
  items: PromoteItem[]
  totals: Record<PromoteOutcome, number> & {items: number}
  /** 0 when every item is created, updated or unchanged (or would be, in a dry run). */
  exitCode: ExitCodeValue
  summary: string
  hint?: string
  /** The monthly cost of the secrets the plan creates in TO, and the calls of the writes: an estimate. */
  cost: CostEstimate
}

/** A plan ready to run: the report as planned, and `execute()` that writes and verifies it. */
export interface PreparedPromotion {
  /** The report for the plan alone (a dry run, or a blocked plan). */
  planned(dryRun: boolean): PromoteReport
  /** Items the run would write (0: nothing to confirm). */
  toWrite: number
  /** True when the plan has a problem (missing source, conflict under --on-conflict fail): nothing may be written. */
  blocked: boolean
  execute(): Promise<PromoteReport>
}

const DEFAULT_CONCURRENCY = 8
/** Marks the secrets a promotion created, so `secrets list`/the console show where they came from. */
const PROMOTED_FROM_TAG = 'secrets:promoted-from'

interface Working {
  item: PromoteItem
  digest?: string
  previousVersionId?: string
  description?: string
}

/** Where to read FROM and where to write TO, when they are different accounts or regions. */
export interface PromoteStores {
  source: SecretStore
  target: SecretStore
}

/**
 * Reads both scopes (one listing and batched reads each) and plans the copy. Values stay inside the
 * returned closure and are never part of the report. One store serves both scopes unless `stores`
 * names a source and a target (environments in different accounts, from secrets.yml).
 */
export async function preparePromotion(stores: SecretStore | PromoteStores, options: PromoteOptions): Promise<PreparedPromotion> {
  const {source: sourceStore, target: store} = 'source' in stores ? stores : {source: stores, target: stores}
  const {from, to} = options
  if (from.toString() === to.toString()) throw new UsageError(`Promoting ${from} to itself would change nothing.`, 'Give two different ENV/SERVICE scopes, e.g. staging/api prod/api.')
  // Names are checked before any AWS call: an invalid --secret is a usage error (exit 2).
  for (const name of options.secrets ?? []) {
    from.secret(name)
    to.secret(name)
  }

  const {source, sourceDigests, targetDigests} = await readBothScopes(sourceStore, store, from, to)
  if (source.values.size === 0) {
    throw new NotFoundError(`${from} has no secrets; nothing to promote.`, `Run "secrets list ${from.env}" to see the services of ${from.env}.`)
  }

  const plan = planPromotion(sourceDigests, targetDigests, options.secrets)
  const values = new Map<string, SecretValue>()
  for (const item of plan) {
    const value = source.values.get(item.name)
    if (value && (item.state === 'create' || item.state === 'update')) values.set(item.name, value)
  }

  const working: Working[] = plan.map((planned) => ({
    item: plannedItem(planned, from, to),
    digest: sourceDigests.get(planned.name),
    previousVersionId: targetDigests.get(planned.name)?.versionId,
    description: source.metadata.get(planned.name)?.description,
  }))

  const counts = countPlan(plan)
  const missing = counts['missing-source'] > 0
  const conflicts = options.onConflict === 'fail' && counts.update > 0
  for (const {item} of working) if (item.plan === 'update') applyConflictPolicy(item, options.onConflict)

  const scheduledTargets = counts.conflict > 0
  const blocked = missing || conflicts || scheduledTargets
  if (blocked) {
    markNotRun(
      working.map(({item}) => item),
      missing ? 'a --secret is missing from the source' : scheduledTargets ? 'a target is scheduled for deletion' : CONFLICT_BLOCKS,
    )
  }

  const toWrite = working.filter(({item}) => item.outcome === 'planned')
  const cost = estimateCost({
    newSecrets: toWrite.filter(({item}) => item.plan === 'create').length,
    replicaRegions: options.pricing?.replicaRegions ?? 0,
    pricePerSecret: options.pricing?.pricePerSecret,
    apiCalls: estimateWriteCalls(toWrite.length),
  })
  const planReport = (dryRun: boolean) => ({...buildReport(options, working, dryRun), cost})
  return {
    planned: planReport,
    toWrite: toWrite.length,
    blocked,
    async execute() {
      if (blocked || toWrite.length === 0) return planReport(false)
      await writeAll(store, options, toWrite, values)
      values.clear()
      const written = toWrite.filter(({item}) => wasWritten(item))
      await verifyWritten(store, written.map(({item, digest}) => ({item, target: item.target, digest})))
      return planReport(false)
    },
  }
}

/**
 * Both scopes, read side by side, and their digests; a target scheduled for deletion refuses every
 * write, so it is found here, in the plan, not at write time.
 */
async function readBothScopes(sourceStore: SecretStore, store: SecretStore, from: Scope, to: Scope) {
  const scheduled = new Set<string>()
  const [source, target] = await Promise.all([readScope(sourceStore, from), readScope(store, to, {scheduled})])
  const sourceDigests = new Map([...source.values].map(([name, value]) => [name, digestOf(value.bytes)]))
  const targetDigests = new Map<string, TargetDigest>(
    [...target.values].map(([name, value]) => [name, {digest: digestOf(value.bytes), versionId: target.versionIds.get(name)}]),
  )
  for (const name of scheduled) if (!targetDigests.has(name)) targetDigests.set(name, {digest: '', scheduledForDeletion: true})
  return {source, sourceDigests, targetDigests}
}

/** One secret's report line as planned: names and states only. */
function plannedItem(planned: PromotePlanItem, from: Scope, to: Scope): PromoteItem {
  return {
    name: planned.name,
    source: `${from.prefix}${planned.name}`,
    target: `${to.prefix}${planned.name}`,
    plan: planned.state,
    outcome: planned.state === 'create' || planned.state === 'update' ? 'planned' : planned.state,
    ...(planned.state === 'missing-source' ? {reason: `${from.prefix}${planned.name} does not exist`} : {}),
    ...(planned.state === 'conflict' ? {reason: scheduledReason(`${to.prefix}${planned.name}`)} : {}),
  }
}

async function writeAll(store: SecretStore, options: PromoteOptions, toWrite: Working[], values: Map<string, SecretValue>): Promise<void> {
  const limit = pLimit(options.concurrency ?? DEFAULT_CONCURRENCY)
  await Promise.all(
    toWrite.map((entry) =>
      limit(async () => {
        const {item} = entry
        const value = values.get(item.name) as SecretValue
        try {
          const result = await store.write(
            item.target,
            value,
            // Description and a provenance tag on new secrets only; the KMS key is not copied, since
            // environments usually have their own keys (the target gets its environment's kmsKeyId
            // and replicaRegions from secrets.yml, else the account's default key).
            writeOptions(item.target, item.plan === 'create', options.onConflict, entry.previousVersionId, {
              description: entry.description,
              tags: {[PROMOTED_FROM_TAG]: options.from.toString()},
            }),
          )
          item.outcome = result.outcome
          if (result.versionId) item.versionId = result.versionId
        } catch (error) {
          markFailed(item, writeFailureReason(error), error)
        }
      }),
    ),
  )
}

function buildReport(options: PromoteOptions, working: Working[], dryRun: boolean): Omit<PromoteReport, 'cost'> {
  const items = working.map(({item}) => ({...item}))
  const totals = {items: items.length, created: 0, updated: 0, unchanged: 0, planned: 0, skipped: 0, conflict: 0, 'missing-source': 0, failed: 0, 'not-run': 0}
  for (const item of items) totals[item.outcome] += 1
  const firstFailure = firstFailureCode(working.map(({item}) => item))
  const from = options.from.toString()
  const to = options.to.toString()
  let exitCode: ExitCodeValue = ExitCode.ok
  let hint: string | undefined
  if (totals['missing-source'] > 0) {
    exitCode = ExitCode.notFound
    hint = `Nothing was written. Check the names with "secrets list ${from}", or leave out --secret to promote every secret of ${from}.`
  } else if (totals.failed > 0) {
    exitCode = firstFailure ?? ExitCode.unexpected
    hint = 'Run the same command again: finished items plan as unchanged, and a retried write never adds a second version.'
  } else if (items.some((item) => item.plan === 'conflict')) {
    exitCode = ExitCode.conflict
    const names = items.filter((item) => item.plan === 'conflict').map((item) => item.target)
    hint =
      `Nothing was written: ${listNames(names)} ${noun(names.length, 'is', 'are')} scheduled for deletion. If that was a mistake, run ` +
      `${names.map((name) => `"secrets restore ${name}"`).join(', ')}, then this command again; otherwise promote the others by name with --secret NAME.`
  } else if (totals.conflict > 0) {
    exitCode = ExitCode.conflict
    const names = items.filter((item) => item.outcome === 'conflict').map((item) => item.name)
    // Values often differ between environments on purpose (prod's password is not staging's): the
    // safe ways forward come first, and overwrite last, saying what it would replace.
    hint =
      `Nothing was written: ${to} holds other values for ${listNames(names)}, often on purpose. Compare with "secrets diff ${from} ${to}". ` +
      `To copy only what should travel, name it: --secret NAME (repeatable). To copy the new secrets and leave these as they are: --on-conflict skip. ` +
      `Only if ${to} should take ${from}'s values: --on-conflict overwrite replaces ${to}'s current ${listNames(names)} (the old values stay as AWSPREVIOUS).`
  } else if (totals.skipped > 0) {
    // --on-conflict skip did exactly what was asked: exit 0, and the note names what was left alone.
    hint = SKIPPED_HINT
  } else if (dryRun && totals.planned > 0) {
    hint = 'Dry run: nothing was written. Run again without --dry-run to promote.'
  }

  return {from, to, dryRun, onConflict: options.onConflict, items, totals, exitCode, summary: summarize(from, to, totals, dryRun), ...(hint ? {hint} : {})}
}

/** Up to three names, then a count: hints stay one readable line. */
function listNames(names: readonly string[]): string {
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`
}

function summarize(from: string, to: string, totals: PromoteReport['totals'], dryRun: boolean): string {
  return summaryLine(dryRun ? `Dry run, ${from} -> ${to}` : `Promotion ${from} -> ${to}`, totals.items, 'secret', [
    ['created', totals.created],
    ['updated', totals.updated],
    ['unchanged', totals.unchanged],
    ['to write', totals.planned],
    ['skipped', totals.skipped],
    ['conflict', totals.conflict],
    ['missing in the source', totals['missing-source']],
    ['failed', totals.failed],
    ['not run', totals['not-run']],
  ])
}
