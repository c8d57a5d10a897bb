import {ExitCode, type ExitCodeValue, SecretsError} from '../core/errors.js'
import {digestOf, writeToken} from '../core/migration-plan.js'
import type {SecretValue} from '../core/secret-value.js'
import {plural} from '../core/words.js'
import type {PutOptions, SecretStore} from '../stores/secret-store.js'

/*
 * The steps `secrets migrate` and `secrets promote` share once each has its plan: what --on-conflict
 * does to a target holding another value, the options of each write, failed items and their exit
 * codes, the read-back that verifies the writes, and the summary line. Reading, planning, scheduling
 * the writes and the wording of hints stay in each service.
 */

/** What --on-conflict does when a target already holds a different value. */
export type ConflictPolicy = 'fail' | 'skip' | 'overwrite'

/**
 * The fields of a report item these steps set. Both services' items have them, and both outcome
 * types include every outcome set here: planned, not-run, skipped, conflict, failed.
 */
export interface PipelineItem {
  outcome: string
  reason?: string
  verified?: boolean
}

const CONFLICT_REASONS = {
  fail: 'the target holds a different value; --on-conflict fail (the default) writes nothing',
  skip: 'the target holds a different value; skipped (--on-conflict skip)',
} as const

/** Why a plan is blocked when a target holds a different value under --on-conflict fail. */
export const CONFLICT_BLOCKS = 'a target holds a different value (--on-conflict fail)'

/**
 * The note when items were skipped (and none was a conflict). Skipping is what was asked, so it is
 * not a failure: the run exits 0 and this says what was left alone.
 */
export const SKIPPED_HINT =
  "Skipped secrets keep their current value, as --on-conflict skip asks (exit 0). Only if the source's value should win there: --on-conflict overwrite replaces it (the old one stays as AWSPREVIOUS)."


/**
 * Applies --on-conflict to an item whose target holds a different value: `fail` makes it a conflict
 * (and the caller blocks the whole plan), `skip` skips it, `overwrite` leaves it to be written.
 */
export function applyConflictPolicy(item: PipelineItem, policy: ConflictPolicy): void {
  if (policy === 'overwrite') return
  item.outcome = policy === 'fail' ? 'conflict' : 'skipped'
  item.reason = CONFLICT_REASONS[policy]
}

/** A blocked plan writes nothing: every item still planned becomes `not-run`, saying why. */
export function markNotRun(items: Iterable<PipelineItem>, why: string): void {
  for (const item of items) {
    if (item.outcome !== 'planned') continue
    item.outcome = 'not-run'
    item.reason = `nothing was written: ${why}`
  }
}

/**
 * The options of one planned write. A target that appeared after the plan is only overwritten when
 * asked; the token is deterministic, so a retried or repeated run of the same step never adds a
 * second version. `onCreate` (tags, description, key) applies to new secrets only: an update adds a
 * version, nothing else.
 */
export function writeOptions(
  target: string,
  creating: boolean,
  policy: ConflictPolicy,
  previousVersionId: string | undefined,
  onCreate: Pick<PutOptions, 'description' | 'kmsKeyId' | 'tags'>,
): PutOptions & {exists: boolean} {
  return {
    exists: !creating,
    overwrite: !creating || policy === 'overwrite',
    clientRequestToken: writeToken(target, previousVersionId),
    ...(creating ? onCreate : {}),
  }
}

/** Exit codes of failed items, kept beside the reports (which hold only text). */
const failureCodes = new WeakMap<PipelineItem, ExitCodeValue>()

/**
 * Marks an item failed (`conflict` when the error is a conflict) and keeps the error's exit code for
 * the report; an error that is not a SecretsError counts as unexpected.
 */
export function markFailed(item: PipelineItem, reason: string, error?: unknown): void {
  const exitCode = error instanceof SecretsError ? error.exitCode : undefined
  item.outcome = exitCode === ExitCode.conflict ? 'conflict' : 'failed'
  item.reason = reason
  failureCodes.set(item, exitCode ?? ExitCode.unexpected)
}

/** The reason of a failed write: the error's message, or only its name when it is not one of ours. */
export function writeFailureReason(error: unknown): string {
  return error instanceof SecretsError ? error.message : `unexpected error: ${(error as Error)?.name ?? 'Error'}`
}

/** The exit code of the first failed item that is not a conflict (conflicts exit 4 on their own). */
export function firstFailureCode(items: Iterable<PipelineItem>): ExitCodeValue | undefined {
  for (const item of items) {
    const code = failureCodes.get(item)
    if (code !== undefined && code !== ExitCode.conflict) return code
  }

  return undefined
}

/** True when the write created or updated the target: the items to read back. */
export function wasWritten(item: PipelineItem): boolean {
  return item.outcome === 'created' || item.outcome === 'updated'
}

/** One written item to read back: its report, the target's full name and the source value's digest. */
export interface WrittenItem<T extends PipelineItem> {
  item: T
  target: string
  digest: string | undefined
}

/**
 * Targets read back at a time: 10 BatchGetSecretValue calls, a tenth of a second of its quota. Reading
 * 10,000 at once held every value and every answer of the run in memory together.
 */
const VERIFY_CHUNK = 200

/**
 * Reads every written target back (20 a call, VERIFY_CHUNK at a time) and compares its digest with
 * the source's: an equal value marks the item verified; a missing or different one fails it through
 * `fail`. A failed read fails its items and every one not yet read back. Returns false when a read
 * itself failed.
 */
export async function verifyWritten<T extends PipelineItem>(
  store: SecretStore,
  written: readonly WrittenItem<T>[],
  fail: (item: T, reason: string, error?: unknown) => void = markFailed,
): Promise<boolean> {
  for (let start = 0; start < written.length; start += VERIFY_CHUNK) {
    const chunk = written.slice(start, start + VERIFY_CHUNK)
    let values: Map<string, SecretValue>
    try {
      ;({values} = await store.getMany(chunk.map(({target}) => target)))
    } catch (error) {
      for (const {item} of written.slice(start)) fail(item, `written but not verified: ${(error as Error).message}`, error)
      return false
    }

    for (const {item, target, digest} of chunk) {
      const value = values.get(target)
      if (value !== undefined && digestOf(value.bytes) === digest) item.verified = true
      else fail(item, value === undefined ? 'verify: the target could not be read back' : 'verify: the target holds a different value than the source')
    }
  }

  return true
}

/** The summary line: `<head>: N <noun>s: 2 created, 1 failed.`, naming only the counts above 0. */
export function summaryLine(head: string, count: number, noun: string, parts: ReadonlyArray<readonly [label: string, count: number]>): string {
  const counted = parts.filter(([, n]) => n > 0).map(([label, n]) => `${n} ${label}`)
  return `${head}: ${plural(count, noun)}${counted.length > 0 ? `: ${counted.join(', ')}` : ''}.`
}
