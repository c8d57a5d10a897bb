import type {SecretAddress} from '../core/address.js'
import type {SecretStore} from '../stores/secret-store.js'

export interface DeleteResult {
  name: string
  /** `scheduled` can be undone with `secrets restore` until `deletionDate`; `deleted` cannot. */
  outcome: 'scheduled' | 'deleted'
  deletionDate?: string
}

export async function deleteSecret(
  store: SecretStore,
  address: SecretAddress,
  options: {recoveryDays: number; force: boolean},
): Promise<DeleteResult> {
  const {deletionDate} = await store.delete(address.fullName, options)
  return {
    name: address.fullName,
    outcome: options.force ? 'deleted' : 'scheduled',
    deletionDate: deletionDate?.toISOString(),
  }
}

export async function restoreSecret(store: SecretStore, address: SecretAddress): Promise<{name: string; outcome: 'restored'}> {
  await store.restore(address.fullName)
  return {name: address.fullName, outcome: 'restored'}
}
