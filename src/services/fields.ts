import {FIELD_WRITE_BACKOFF, type BackoffOptions, retryWithBackoff} from '../core/backoff.js'
import {ConflictError, ExitCode, NotFoundError, UsageError} from '../core/errors.js'
import {applyFieldChange, type FieldChange, fieldNames, isKeyValue, parseKeyValue, pickFields} from '../core/json-fields.js'
import type {SecretValue} from '../core/secret-value.js'
import type {ReadOptions, SecretStore, VersionedValue} from '../stores/secret-store.js'
import {readVersion} from './get.js'

/** The named fields of a key/value secret, as parsed JSON values (exit 2 not an object, exit 3 a field missing). */
export async function readFields(store: SecretStore, name: string, fields: readonly string[], options: ReadOptions = {}): Promise<Record<string, unknown>> {
  const value = await readVersion(store, name, options)
  return pickFields(parseKeyValue(value, name), fields, name)
}

/** The field names of a key/value secret, in document order; never values. */
export async function listFields(store: SecretStore, name: string, options: ReadOptions = {}): Promise<string[]> {
  return fieldNames(parseKeyValue(await readVersion(store, name, options), name))
}

export type FieldWriteOutcome = 'created' | 'updated' | 'unchanged'

export interface FieldWriteResult {
  name: string
  field: string
  /** `set` for a value written, `unset` for a field removed. */
  action: 'set' | 'unset'
  outcome: FieldWriteOutcome
  versionId?: string
  /** Read-modify-write rounds it took: more than 1 when another writer changed the secret meanwhile. */
  attempts: number
}

/**
 * Changes one field of a key/value secret without losing a concurrent writer's change: read the
 * current version, splice the field in (every other member kept byte for byte), and swap the result
 * in only if the version read is still current; when another writer won, read again and re-apply,
 * after a jittered wait, a bounded number of times. A secret that does not exist is created as
 * `{"FIELD": value}` (two creators racing: the loser re-reads and applies its field to the winner's).
 */
export async function writeField(
  store: SecretStore,
  name: string,
  change: FieldChange,
  backoff: BackoffOptions = FIELD_WRITE_BACKOFF,
): Promise<FieldWriteResult> {
  const action = 'unset' in change ? 'unset' : 'set'
  const {result, attempts} = await retryWithBackoff(
    async () => {
      const current = await readCurrent(store, name)
      if (current === undefined) {
        if (action === 'unset') throw new NotFoundError(`${name} was not found; there is no field to remove.`)
        const {value} = applyFieldChange(undefined, change, name)
        const created = await createIfAbsent(store, name, value)
        return created === undefined ? undefined : {outcome: 'created' as const, versionId: created}
      }

      const {value, changed} = applyFieldChange(parseKeyValue(current.value, name), change, name)
      if (!changed || value.equals(current.value)) return {outcome: 'unchanged' as const, versionId: current.versionId}
      const swap = await store.swap(name, value, current.versionId)
      return swap.swapped ? {outcome: 'updated' as const, versionId: swap.versionId} : undefined
    },
    backoff,
    (tries) =>
      new ConflictError(
        `${name} kept changing under other writers: the field "${change.field}" was not written after ${tries} attempts.`,
        'Run the command again; nothing of this attempt became current.',
      ),
  )
  return {name, field: change.field, action, ...result, attempts}
}

async function readCurrent(store: SecretStore, name: string): Promise<VersionedValue | undefined> {
  try {
    return await store.getCurrent(name)
  } catch (error) {
    if ((error as {exitCode?: number}).exitCode === ExitCode.notFound) return undefined
    throw error
  }
}

/** CreateSecret, refused when the secret exists (another writer created it first): undefined then. */
async function createIfAbsent(store: SecretStore, name: string, value: SecretValue): Promise<string | undefined> {
  try {
    const result = await store.write(name, value, {overwrite: false, exists: false})
    return result.versionId ?? ''
  } catch (error) {
    // The re-read that follows says why, if it was not a creation race (scheduled for deletion).
    if (error instanceof ConflictError) return undefined
    throw error
  }
}

/** A field's value comes as text (the prompt, stdin, a file): a JSON string needs it to be UTF-8. */
export function fieldValueText(value: SecretValue, field: string): string {
  const text = value.text
  if (text === undefined) throw new UsageError(`The value for the field "${field}" is not UTF-8 text; a field of a JSON document holds text. Nothing was written.`)
  return text
}

/**
 * The fields a whole-value write would wipe out: those of the current value when it is a key/value
 * secret and the new value is not a JSON object itself (then the caller means a new document). Reads
 * nothing when the new value is an object; undefined when nothing would be lost.
 */
export async function fieldsReplacedBy(store: SecretStore, name: string, value: SecretValue): Promise<string[] | undefined> {
  if (isKeyValue(value)) return undefined
  const current = await readCurrent(store, name)
  if (current === undefined || !isKeyValue(current.value)) return undefined
  return fieldNames(parseKeyValue(current.value, name))
}
