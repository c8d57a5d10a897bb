import type {Scope, SecretAddress} from '../core/address.js'
import {NotFoundError} from '../core/errors.js'
import {shownValue} from '../core/printable.js'
import {byPathSegments} from '../core/order.js'
import type {SecretValue} from '../core/secret-value.js'
import {readScope} from '../stores/read-scope.js'
import type {ReadOptions, SecretStore} from '../stores/secret-store.js'

export function getSecret(store: SecretStore, address: Pick<SecretAddress, 'fullName'>, options: ReadOptions): Promise<SecretValue> {
  return readVersion(store, address.fullName, options)
}

/**
 * The value of a stage or version of `name`. A stage or version id that does not exist reads, from
 * AWS, exactly like a missing secret; a mistyped `--version-stage PREVIOUS` is told apart from a
 * missing secret by reading the secret's versions, and the error lists the stages it has.
 */
export async function readVersion(store: SecretStore, name: string, options: ReadOptions): Promise<SecretValue> {
  try {
    return await store.get(name, options)
  } catch (error) {
    if (!(error instanceof NotFoundError) || (options.versionStage === undefined && options.versionId === undefined)) throw error
    // A missing secret (or versions that cannot be read) leaves the first answer as it was.
    const versions = await store.history(name).catch(() => undefined)
    if (versions === undefined) throw error
    const stages = [...new Set(versions.flatMap((version) => version.stages ?? []))].sort()
    // A flag's value is shown only when it reads as a word (a stage such as AWSPREVIOUS), as in parse errors:
    // anything else may be a value pasted into the wrong flag.
    const asked = options.versionId === undefined ? `stage ${shownValue(options.versionStage ?? '')}` : `version id ${shownValue(options.versionId)}`
    const withStage = options.versionId !== undefined && options.versionStage !== undefined ? ` labelled ${shownValue(options.versionStage)}` : ''
    throw new NotFoundError(
      `${name} exists, but has no ${asked}${withStage}; its stages are ${stages.join(', ') || 'none'}.`,
      `"secrets history ${name}" lists its versions and their stages.`,
    )
  }
}

/**
 * Every secret of a service, keyed by short name and sorted: one listing, then batched reads (20 a
 * call), never a read per secret; `api` never fetches `api2`'s values (see readScope).
 */
export async function getAllSecrets(store: SecretStore, scope: Scope): Promise<Map<string, SecretValue>> {
  const {values} = await readScope(store, scope)
  return new Map([...values].sort(([a], [b]) => byPathSegments(a, b)))
}
