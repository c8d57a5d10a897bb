import type {SecretAddress} from '../core/address.js'
import type {SecretValue} from '../core/secret-value.js'
import type {PutOutcome, SecretStore} from '../stores/secret-store.js'

export interface SetOptions {
  description?: string
  kmsKeyId?: string
  tags?: Record<string, string>
  overwrite: boolean
}

export interface SetResult {
  name: string
  outcome: PutOutcome
  versionId?: string
  /** On `unchanged`: the description and tags given were applied all the same. */
  metadataApplied?: Array<'description' | 'tags'>
}

/** Creates the secret or adds a version; an identical current value is left alone (`unchanged`). */
export async function setSecret(
  store: SecretStore,
  address: SecretAddress,
  value: SecretValue,
  options: SetOptions,
): Promise<SetResult> {
  const result = await store.put(address.fullName, value, options)
  return {name: address.fullName, ...result}
}
