import {byPathSegments} from './order.js'

/**
 * Pure comparison of two scopes (`secrets diff`) and planning of a copy between them
 * (`secrets promote`). Both work on SHA-256 digests of values, never on the values themselves, so a
 * comparison or a plan can be printed, logged or serialised without risk.
 */

/** What a scope holds, as the comparison sees it: short name -> hex SHA-256 of the value. */
export type Digests = ReadonlyMap<string, string>

/**
 * How one name compares between a left and a right scope:
 * - `only-left` / `only-right`: the secret exists on one side only;
 * - `equal`: both hold the same bytes; `different`: both exist with different bytes.
 */
export type DiffState = 'only-left' | 'only-right' | 'equal' | 'different'

export interface DiffEntry {
  /** Short name (the part after `/<env>/<service>/`). */
  name: string
  state: DiffState
  /** With `diff --fields`, on a `different` pair of key/value secrets: the names of the fields that differ. */
  fields?: {onlyLeft: string[]; onlyRight: string[]; different: string[]}
}

/**
 * Compares two scopes by name and digest. Entries are sorted by name (code-point order, so the
 * output is stable whatever the locale); every name on either side appears exactly once.
 */
export function compareDigests(left: Digests, right: Digests): DiffEntry[] {
  const names = [...new Set([...left.keys(), ...right.keys()])].sort(byPathSegments)
  return names.map((name) => {
    const l = left.get(name)
    const r = right.get(name)
    if (l === undefined) return {name, state: 'only-right'}
    if (r === undefined) return {name, state: 'only-left'}
    return {name, state: l === r ? 'equal' : 'different'}
  })
}

export function countDiff(entries: readonly DiffEntry[]): Record<DiffState, number> {
  const counts: Record<DiffState, number> = {'only-left': 0, 'only-right': 0, equal: 0, different: 0}
  for (const entry of entries) counts[entry.state] += 1
  return counts
}

/** The sides that hold no name at all, as counted by countDiff. */
export function emptySides(counts: Record<DiffState, number>): Array<'left' | 'right'> {
  const both = counts.equal + counts.different
  return [...(both + counts['only-left'] === 0 ? ['left' as const] : []), ...(both + counts['only-right'] === 0 ? ['right' as const] : [])]
}

/** True when both scopes hold the same names with the same values. */
export function scopesEqual(entries: readonly DiffEntry[]): boolean {
  return entries.every((entry) => entry.state === 'equal')
}

/**
 * What a promotion plans for one name:
 * - `create`: not in the target yet; `update`: the target holds another value;
 * - `unchanged`: the target already holds the same value;
 * - `missing-source`: asked for with --secret but not in the source (a problem: nothing is written);
 * - `conflict`: the target is scheduled for deletion (nothing is written until it is restored).
 */
export type PromoteState = 'create' | 'update' | 'unchanged' | 'missing-source' | 'conflict'

export interface PromotePlanItem {
  name: string
  state: PromoteState
}

/** The target's current state, as one batched read found it. */
export interface TargetDigest {
  digest: string
  /** The AWSCURRENT version now, so the write's idempotency token changes when the target does. */
  versionId?: string
  /** The target is scheduled for deletion: no write can succeed until it is restored. */
  scheduledForDeletion?: boolean
}

/**
 * Plans a promotion. With `selected` (the --secret names), only those names are planned and a name
 * missing from the source is `missing-source`; without it, every secret of the source is planned.
 * Secrets only in the target are not part of a promotion (it never deletes) and are left out.
 */
export function planPromotion(
  source: Digests,
  target: ReadonlyMap<string, TargetDigest>,
  selected?: readonly string[],
): PromotePlanItem[] {
  const names = selected && selected.length > 0 ? [...new Set(selected)] : [...source.keys()]
  return names.sort(byPathSegments).map((name) => {
    const from = source.get(name)
    if (from === undefined) return {name, state: 'missing-source'}
    const to = target.get(name)
    if (to === undefined) return {name, state: 'create'}
    if (to.scheduledForDeletion) return {name, state: 'conflict'}
    return {name, state: to.digest === from ? 'unchanged' : 'update'}
  })
}

export function countPlan(items: readonly PromotePlanItem[]): Record<PromoteState, number> {
  const counts: Record<PromoteState, number> = {create: 0, update: 0, unchanged: 0, 'missing-source': 0, conflict: 0}
  for (const item of items) counts[item.state] += 1
  return counts
}
