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
  /** A created secret only: secrets whose name, or whose scope, differs from its own only by case. */
  differsByCaseFrom?: string[]
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
    const twins = result.outcome === 'created' ? await namesDifferingByCase(store, address) : []
    return {name: address.fullName, ...result, ...(twins.length > 0 ? {differsByCaseFrom: twins} : {})}
  } catch (error) {
    if (!(error instanceof PartialWriteError)) throw error
    const {code, message, exitCode, hint} = error
    return {name: address.fullName, ...error.written, notApplied: error.notApplied, error: {code, message, exitCode, ...(hint ? {hint} : {})}}
  }
}

/**
 * Secrets beside `address` whose full name or scope differs from it only by case (`/prod/api/DB_PASS`
 * beside `/Prod/Api/db_pass`): Secrets Manager names are case-sensitive, so a scope typed in another case
 * is a second scope, which no grant of the first one covers. ListSecrets' name filter is a case-sensitive
 * prefix, so the scope is listed as given and in lower case (two short listings, after a creation only).
 * A listing that fails says nothing: the secret is stored, and this is only advice.
 */
export async function namesDifferingByCase(store: SecretStore, address: SecretAddress): Promise<string[]> {
  const {fullName} = address
  const given = address.scope.prefix
  const lower = given.toLowerCase()
  const twins = new Set<string>()
  try {
    for (const prefix of new Set([given, lower])) {
      for await (const secret of store.list(prefix)) {
        if (secret.name === fullName) continue
        const sameName = secret.name.toLowerCase() === fullName.toLowerCase()
        const sameScope = secret.name.toLowerCase().startsWith(lower) && !secret.name.startsWith(given)
        if (sameName || sameScope) twins.add(secret.name)
      }
    }
  } catch {
    return []
  }

  // The same name in another case first: that is the secret most likely meant.
  const isSameName = (name: string) => Number(name.toLowerCase() === fullName.toLowerCase())
  return [...twins].sort((a, b) => isSameName(b) - isSameName(a) || a.localeCompare(b))
}
