import type {SecretAddress} from '../core/address.js'
import type {ExitCodeValue} from '../core/errors.js'
import type {SecretValue} from '../core/secret-value.js'
import {type MetadataKind, PartialWriteError, type PutOutcome, type SecretStore} from '../stores/secret-store.js'

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
  /** The description and tags given that were applied (on `unchanged`, or before a refusal). */
  metadataApplied?: MetadataKind[]
  /** Given, and refused by AWS after the value was handled: not applied. */
  notApplied?: MetadataKind[]
  /** Why `notApplied`: the refusal, whose exit code the command ends with. */
  error?: {code: string; message: string; exitCode: ExitCodeValue; hint?: string}
}

/**
 * Creates the secret or adds a version; an identical current value is left alone (`unchanged`). A
 * refusal after a step landed is no thrown error but this result, saying exactly what was written.
 */
export async function setSecret(
  store: SecretStore,
  address: SecretAddress,
  value: SecretValue,
  options: SetOptions,
): Promise<SetResult> {
  try {
    const result = await store.put(address.fullName, value, options)
    return {name: address.fullName, ...result}
  } catch (error) {
    if (!(error instanceof PartialWriteError)) throw error
    const {code, message, exitCode, hint} = error
    return {name: address.fullName, ...error.written, notApplied: error.notApplied, error: {code, message, exitCode, ...(hint ? {hint} : {})}}
  }
}
