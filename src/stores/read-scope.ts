import type {Scope} from '../core/address.js'
import type {SecretValue} from '../core/secret-value.js'
import type {SecretMetadata, SecretStore} from './secret-store.js'

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
