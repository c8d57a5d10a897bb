import pLimit from 'p-limit'

import {type CostEstimate, estimateCost, estimateWriteCalls} from '../../core/cost.js'
import {SecretsError} from '../../core/errors.js'
import {ListingStoppedError} from '../../core/paging.js'
import {classify, mapSources, targetsToRead, type TargetState} from '../../core/migration-plan.js'
import {byPathSegments} from '../../core/order.js'
import type {SecretStore} from '../../stores/secret-store.js'
import {wasWritten} from '../copy-pipeline.js'
import {finishWrites, startWrites, type WriteRun, writeOne} from './execute.js'
import {plannedEntry, readTargetValues} from './plan.js'
import {type Reading, startReading} from './read-source.js'
import type {PagedListing} from './sources/source.js'
import type {ItemReport, RunInputs, Tracker, Working} from './types.js'
import {ValueCache} from './value-cache.js'
import {readBack} from './verify.js'

/*
 * The streamed plan of a source listed in pages (SSM): each page of the listing is planned and written as it
 * arrives, so the first secret is written a second after the start, not after the last page (1,000
 * pages for 10,000 parameters, at Parameter Store's 40 reads a second), and no more than a few pages
 * of values are ever held. It is taken only when no item seen later could change what an earlier one
 * should have done; otherwise the plan sees every name first and says why (`wholeListingReason`).
 */

/** Items planned but not yet written, at most: the listing waits for the writes beyond this. */
const WRITE_AHEAD = 100

/** Written items read back together: ten BatchGetSecretValue calls of 20, about four seconds of writes at CreateSecret's quota. */
const VERIFY_BATCH = 200

/** What a streamed run found, for the report. */
export interface StreamResult {
  /** Every item's report line, sorted by name: all the run keeps of an item once it is verified. */
  items: ItemReport[]
  interrupted: boolean
  /** False when the run stopped (Ctrl-C) before the listing's last page. */
  listingEnded: boolean
  reading: Reading
  cost: CostEstimate
}

/**
 * The secrets already where the source's items map (`prefix`: a parameter named /<env>/<service>/<name>
 * becomes the secret of that name), and why they keep the run from streaming, if they do: a target
 * scheduled for deletion blocks the whole plan, and so does a target with another value under
 * --on-conflict fail.
 */
export async function existingTargets(store: SecretStore, options: RunInputs, prefix: string): Promise<{live: Set<string>; why?: string}> {
  const live = new Set<string>()
  let scheduled: string | undefined
  for await (const secret of store.list(prefix, {includeDeleted: true, signal: options.signal})) {
    if (!secret.name.startsWith(prefix)) continue
    if (secret.deletedDate) scheduled ??= secret.name
    else live.add(secret.name)
  }

  if (scheduled !== undefined) return {live, why: `${scheduled} is scheduled for deletion, which blocks the plan if a parameter maps to it: every name must be known before any is written`}
  if (options.onConflict === 'fail' && live.size > 0) {
    return {live, why: `secrets already exist under ${prefix}, and --on-conflict fail writes nothing if one of them differs from its parameter`}
  }

  return {live}
}

/**
 * Plans and writes an SSM listing page by page: each page's items are mapped (a parameter's own name,
 * which no other can share), compared with the secrets among `live` that they name, and written at
 * most `options.concurrency` at a time while the listing goes on, at most WRITE_AHEAD ahead of the
 * writes. Written items are read back VERIFY_BATCH at a time as the run goes (`Verifier`), so what the
 * run holds of an item it has verified is its report line alone, and memory stays flat however long
 * the listing. A listing that fails midway stops the run: the writes in flight finish and are
 * verified, and the error says that a re-run finishes it.
 */
export async function streamMigration(store: SecretStore, options: RunInputs, listing: PagedListing, live: ReadonlySet<string>, tracker: Tracker): Promise<StreamResult> {
  const {progress, emit} = tracker
  // Nothing is cached: each value goes from its page to its write.
  const noCache = new ValueCache(0)
  const reading = await startReading(options, noCache, () => {
    progress.read += 1
  })
  const run = startWrites(store, options, noCache, tracker)
  const verifier = new Verifier(store, tracker)
  const limit = pLimit(Math.max(1, options.concurrency))
  const inFlight = new Set<Promise<void>>()
  // Resolved when a write ends, so the listing waits on one promise, not on a race of all of them
  // (each Promise.race hung a reaction on every pending write, kept alive until that write ended).
  let writeEnded: (() => void) | undefined
  const items: ItemReport[] = []
  // Planned writes that wrote nothing: stopped by Ctrl-C before they began (then reported `not-run`),
  // or creates that found their secret already there (which finishWrites settles).
  const unwritten: Working[] = []
  const toWrite = {count: 0, creates: 0}
  const map = options.source.targetMapping(options)
  let listingEnded = true
  progress.listing = true
  emit('writing')
  try {
    for await (const page of listing.pages(reading)) {
      // Stopped with this page unplanned: the report says the listing did not end.
      if (options.signal?.aborted) {
        listingEnded = false
        break
      }

      const mapped = mapSources(page.sources, map)
      const targets: Map<string, TargetState> = await readTargetValues(store, targetsToRead(mapped).filter((name) => live.has(name)))
      for (const item of [...classify(mapped, targets), ...page.extraItems]) {
        const entry = plannedEntry(item, targets, options.onConflict)
        items.push(entry.report)
        if (entry.report.outcome !== 'planned') continue
        toWrite.count += 1
        if (entry.report.plan === 'create') toWrite.creates += 1
        const write: Promise<void> = limit(async () => {
          await writeOne(run, entry, page.values)
          if (wasWritten(entry.report)) verifier.add(entry)
          else if (entry.report.outcome === 'planned') unwritten.push(entry)
        }).finally(() => {
          inFlight.delete(write)
          writeEnded?.()
        })
        inFlight.add(write)
      }

      progress.planned = items.length
      progress.toWrite = toWrite.count
      emit()
      while (inFlight.size > WRITE_AHEAD) {
        await new Promise<void>((resolve) => {
          writeEnded = resolve
        })
      }
    }
  } catch (error) {
    if (!(error instanceof ListingStoppedError)) {
      progress.listing = false
      await settle(run, inFlight, unwritten, verifier)
      throw listingFailed(error, progress.written)
    }

    // The signal stopped the listing itself (before its next page, or mid-request): the run ends as
    // one stopped at a page does, with its report.
    listingEnded = false
  }

  progress.listing = false
  const interrupted = await settle(run, inFlight, unwritten, verifier)
  items.sort((a, b) => byPathSegments(a.source, b.source))
  return {items, interrupted, listingEnded, reading, cost: streamedCost(options, toWrite)}
}

/** Written items a streamed run reads back VERIFY_BATCH at a time, one batch after another, while it goes on writing. */
class Verifier {
  private batch: Working[] = []
  private reading: Promise<void> = Promise.resolve()

  constructor(
    private readonly store: SecretStore,
    private readonly tracker: Tracker,
  ) {}

  /** A written item; a full batch is read back (after the batch before it) while the writes go on. */
  add(entry: Working): void {
    this.batch.push(entry)
    if (this.batch.length >= VERIFY_BATCH) this.readBatch()
  }

  /** Reads back what is left and waits for every batch: the run's last step, in the `verifying` phase. */
  async finish(): Promise<void> {
    if (this.tracker.progress.written > 0) this.tracker.emit('verifying')
    this.readBatch()
    await this.reading
  }

  private readBatch(): void {
    if (this.batch.length === 0) return
    const batch = this.batch
    this.batch = []
    // readBack never rejects: an item it cannot read back is failed, saying why.
    this.reading = this.reading.then(() => readBack(this.store, batch, this.tracker))
  }
}

/** Waits for the writes in flight, settles them and reads back what is still unverified; true when interrupted. */
async function settle(run: WriteRun, inFlight: ReadonlySet<Promise<void>>, unwritten: readonly Working[], verifier: Verifier): Promise<boolean> {
  await Promise.all(inFlight)
  const interrupted = await finishWrites(run, unwritten)
  await verifier.finish()
  return interrupted
}

/** The listing's error, saying what had been written before it and that a re-run finishes the job. */
function listingFailed(error: unknown, written: number): unknown {
  if (!(error instanceof SecretsError) || written === 0) return error
  const done = `${written} ${written === 1 ? 'secret was' : 'secrets were'} written and verified before the listing failed; the same command finishes the migration (they plan as unchanged).`
  // The error keeps its class and exit code (the base command maps them); only its next step grows.
  return Object.assign(error, {hint: error.hint ? `${error.hint} ${done}` : done})
}

/** The cost of what a streamed run wrote (known only once the listing ended). */
function streamedCost(options: RunInputs, toWrite: {count: number; creates: number}): CostEstimate {
  return estimateCost({
    newSecrets: toWrite.creates,
    replicaRegions: options.pricing?.replicaRegions ?? 0,
    pricePerSecret: options.pricing?.pricePerSecret,
    apiCalls: estimateWriteCalls(toWrite.count, 0),
  })
}
