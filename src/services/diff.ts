import type {Scope} from '../core/address.js'
import {compareDigests, countDiff, type DiffEntry, type DiffState, emptySides, scopesEqual} from '../core/env-compare.js'
import {NotFoundError} from '../core/errors.js'
import {compareFields} from '../core/json-fields.js'
import {digestOf} from '../core/migration-plan.js'
import {readScope} from '../stores/read-scope.js'
import type {SecretStore} from '../stores/secret-store.js'
import type {SecretValue} from '../core/secret-value.js'

/** Digests of a scope's values; the values themselves are dropped as soon as they are hashed. */
async function readDigests(store: SecretStore, scope: Scope): Promise<Map<string, string>> {
  const {values} = await readScope(store, scope)
  return new Map([...values].map(([name, value]) => [name, digestOf(value.bytes)]))
}

/** The result of `secrets diff`: names and states, never a value or a digest. */
export interface DiffReport {
  left: string
  right: string
  equal: boolean
  counts: Record<DiffState, number>
  secrets: DiffEntry[]
}

/**
 * Compares two scopes by the SHA-256 of each value, computed in this process. `rightStore` reads the
 * right scope when it lives elsewhere (another account or region, from secrets.yml).
 */
export async function diffScopes(
  store: SecretStore,
  left: Scope,
  right: Scope,
  rightStore: SecretStore = store,
  options: {fields?: boolean; allowEmpty?: boolean} = {},
): Promise<DiffReport> {
  const report = options.fields ? await diffScopesByField(store, left, right, rightStore) : await diffScopesByDigest(store, left, right, rightStore)
  if (!options.allowEmpty) refuseEmptySides(report)
  return report
}

/**
 * An empty side is far more often a misspelt scope than an environment left empty on purpose, and two
 * misspelt scopes would otherwise compare "equal" and pass a deploy gate: exit 3, naming each.
 */
function refuseEmptySides(report: DiffReport): void {
  const empty = emptySides(report.counts).map((side) => report[side])
  if (empty.length === 0) return
  const which = empty.length === 2 ? `Both ${empty[0]} and ${empty[1]} hold no secrets` : `${empty[0]} holds no secrets`
  throw new NotFoundError(
    `${which}: nothing to compare.`,
    `Check the spelling with "secrets list ${empty[0].split('/')[0]}"; to compare with a scope that is empty on purpose, add --allow-empty.`,
  )
}

async function diffScopesByDigest(store: SecretStore, left: Scope, right: Scope, rightStore: SecretStore): Promise<DiffReport> {
  const [l, r] = await Promise.all([readDigests(store, left), readDigests(rightStore, right)])
  const secrets = compareDigests(l, r)
  return {left: left.toString(), right: right.toString(), equal: scopesEqual(secrets), counts: countDiff(secrets), secrets}
}

/** As diffScopes, and for each different pair of key/value secrets, which fields differ (names only). */
async function diffScopesByField(store: SecretStore, left: Scope, right: Scope, rightStore: SecretStore): Promise<DiffReport> {
  const [l, r] = await Promise.all([readScope(store, left), readScope(rightStore, right)])
  const digests = (values: Map<string, SecretValue>) => new Map([...values].map(([name, value]) => [name, digestOf(value.bytes)]))
  const secrets = compareDigests(digests(l.values), digests(r.values)).map((entry) => {
    if (entry.state !== 'different') return entry
    const fields = compareFields(l.values.get(entry.name) as SecretValue, r.values.get(entry.name) as SecretValue)
    return fields ? {...entry, fields} : entry
  })
  return {left: left.toString(), right: right.toString(), equal: scopesEqual(secrets), counts: countDiff(secrets), secrets}
}
