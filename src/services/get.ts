import type {Scope, SecretAddress} from '../core/address.js'
import {byPathSegments} from '../core/order.js'
import type {SecretValue} from '../core/secret-value.js'
import {readScope} from '../stores/read-scope.js'
import type {ReadOptions, SecretStore} from '../stores/secret-store.js'

export function getSecret(store: SecretStore, address: Pick<SecretAddress, 'fullName'>, options: ReadOptions): Promise<SecretValue> {
  return store.get(address.fullName, options)
}

/**
 * Every secret of a service, keyed by short name and sorted: one listing, then batched reads (20 a
 * call), never a read per secret; `api` never fetches `api2`'s values (see readScope).
 */
export async function getAllSecrets(store: SecretStore, scope: Scope): Promise<Map<string, SecretValue>> {
  const {values} = await readScope(store, scope)
  return new Map([...values].sort(([a], [b]) => byPathSegments(a, b)))
}
