import type {PlanItem, SourceItem} from '../../core/migration-plan.js'
import {byPathSegments} from '../../core/order.js'
import type {ReadResult, Reading} from './sources/source.js'
import type {RunInputs} from './types.js'
import type {ValueCache} from './value-cache.js'

export type {ReadResult, Reading} from './sources/source.js'

/**
 * Reads the source, keeps what the selection takes as sources (their values offered to `cache`), and
 * reports what it leaves or cannot read as extra items.
 */
export async function readSource(options: RunInputs, cache: ValueCache, onRead: () => void): Promise<ReadResult> {
  const reading = await startReading(options, cache, onRead)
  await options.source.read(reading)
  const {sources, extraItems, notSelected, matchedOnly, configuration, warnings} = reading
  return {sources, extraItems, notSelected, matchedOnly, configuration, warnings}
}

/** A read not yet begun: the selection of `options`, with the audit's rules loaded when it needs them. */
export async function startReading(options: RunInputs, cache: ValueCache, onRead: () => void): Promise<Reading> {
  const select = options.select ?? {}
  const leavesConfiguration = Boolean(select.secretsOnly) || options.source.judgedAlways
  const detect = leavesConfiguration || Boolean(select.judgeConfiguration)
  return {
    sources: [],
    extraItems: [],
    notSelected: 0,
    matchedOnly: new Set<string>(),
    configuration: [],
    leavesConfiguration,
    warnings: [],
    secretsOnly: Boolean(select.secretsOnly),
    only: select.only && select.only.length > 0 ? new Set(select.only) : undefined,
    types: select.types && select.types.length > 0 ? new Set(select.types) : undefined,
    // The audit's own rules decide what --secrets-only takes (and name configuration); loaded only when asked for.
    judge: detect ? await import('../../core/audit/inspect.js') : undefined,
    scan: detect ? (select.scan ?? (await import('../../core/audit/secret-scan.js')).scanManyForSecrets) : undefined,
    cache,
    onRead,
    signal: options.signal,
  }
}

/**
 * Whether --only takes an item known by any of `names` (every item without --only); the names that
 * matched are recorded, so that an --only name matching nothing is an error. Every source selects
 * with it.
 */
export function takenByOnly(reading: Reading, names: readonly string[]): boolean {
  const {only} = reading
  if (only === undefined) return true
  const matched = names.filter((name) => only.has(name))
  for (const name of matched) reading.matchedOnly.add(name)
  return matched.length > 0
}

/** An item the audit's rules leave in place, with their reason. */
export function leftItem(item: SourceItem, why: string): PlanItem {
  return {source: item, state: 'left', reason: `left in place: not a secret by the audit's rules (${why})`}
}

/** Sorts what a source read by name, so runs compare line by line whatever order the service listed them in. */
export function sortByName(reading: Reading): void {
  reading.sources.sort((a, b) => byPathSegments(a.name, b.name))
}
