import type {Scope, SecretAddress} from '../core/address.js'
import type {SecretValue} from '../core/secret-value.js'
import type {ReadOptions, SecretStore} from '../stores/secret-store.js'

export function getSecret(store: SecretStore, address: SecretAddress, options: ReadOptions): Promise<SecretValue> {
  return store.get(address.fullName, options)
}

/**
 * Every secret of a service, keyed by short name: one listing, then batched reads (20 a call), never
 * a read per secret. Only names exactly in the scope are read, so `api` never fetches `api2`'s values.
 */
export async function getAllSecrets(store: SecretStore, scope: Scope): Promise<Map<string, SecretValue>> {
  const names: string[] = []
  for await (const secret of store.list(scope.prefix)) {
    if (scope.contains(secret.name)) names.push(secret.name)
  }

  const {values} = await store.getMany(names)
  const byShortName = new Map<string, SecretValue>()
  for (const name of names.sort()) {
    const value = values.get(name)
    if (value) byShortName.set(name.slice(scope.prefix.length), value)
  }

  return byShortName
}
