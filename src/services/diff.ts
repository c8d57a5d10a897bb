import type {Scope} from '../core/address.js'
import {compareDigests, countDiff, type DiffEntry, type DiffState, scopesEqual} from '../core/env-compare.js'
import {compareFields} from '../core/json-fields.js'
import {digestOf} from '../core/migration-plan.js'
import type {SecretValue} from '../core/secret-value.js'
import type {SecretMetadata, SecretStore} from '../stores/secret-store.js'

/** Every secret of one scope, read with one listing and batched reads (20 a call). Keyed by short name. */
export interface ScopeContents {
  values: Map<string, SecretValue>
  versionIds: Map<string, string>
  metadata: Map<string, SecretMetadata>
}

/**
 * Lists a scope exactly (`prod/api` never includes `prod/api2` or `prod/api/x/y`) and reads the current
 * value of each secret in batches. Secrets scheduled for deletion count as absent; with
 * `options.scheduled`, their short names are added to that set (promote plans them as conflicts).
 */
export async function readScope(store: SecretStore, scope: Scope, options: {scheduled?: Set<string>} = {}): Promise<ScopeContents> {
  const metadata = new Map<string, SecretMetadata>()
  // With `scheduled`, the one listing also finds the secrets scheduled for deletion (short names).
  for await (const secret of store.list(scope.prefix, {includeDeleted: options.scheduled !== undefined})) {
    if (!scope.contains(secret.name)) continue
    if (secret.deletedDate) options.scheduled?.add(secret.name.slice(scope.prefix.length))
    else metadata.set(secret.name.slice(scope.prefix.length), secret)
  }

  const values = new Map<string, SecretValue>()
  const versionIds = new Map<string, string>()
  if (metadata.size === 0) return {values, versionIds, metadata}
  const read = await store.getMany([...metadata.keys()].map((name) => `${scope.prefix}${name}`))
  for (const [full, value] of read.values) {
    const name = full.slice(scope.prefix.length)
    values.set(name, value)
    const versionId = read.versionIds?.get(full)
    if (versionId) versionIds.set(name, versionId)
  }

  // A secret deleted between the listing and the read is simply not there.
  for (const name of metadata.keys()) if (!values.has(name)) metadata.delete(name)
  return {values, versionIds, metadata}
}

/** Digests of a scope's values; the values themselves are dropped as soon as they are hashed. */
export async function readDigests(store: SecretStore, scope: Scope): Promise<Map<string, string>> {
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
export async function diffScopes(store: SecretStore, left: Scope, right: Scope, rightStore: SecretStore = store, options: {fields?: boolean} = {}): Promise<DiffReport> {
  if (options.fields) return diffScopesByField(store, left, right, rightStore)
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
