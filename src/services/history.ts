import type {SecretAddress} from '../core/address.js'
import type {SecretStore} from '../stores/secret-store.js'

export interface HistoryEntry {
  versionId: string
  stages: string[]
  created?: string
}

/** Versions, newest first, with their stages and dates; never values. */
export async function secretHistory(store: SecretStore, address: Pick<SecretAddress, 'fullName'>): Promise<HistoryEntry[]> {
  const versions = await store.history(address.fullName)
  return versions.map((version) => ({
    versionId: version.versionId,
    stages: version.stages,
    created: version.createdDate?.toISOString(),
  }))
}
