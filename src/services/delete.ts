import type {SecretAddress} from '../core/address.js'
import {ConflictError} from '../core/errors.js'
import type {SecretStore} from '../stores/secret-store.js'

export interface DeleteResult {
  name: string
  /** `scheduled` can be undone with `secrets restore` until `deletionDate`; `deleted` cannot. */
  outcome: 'scheduled' | 'deleted'
  deletionDate?: string
}

/**
 * Checks that the secret can be deleted as asked, before anyone is asked to confirm it. The state is
 * read because DeleteSecret with ForceDeleteWithoutRecovery answers success for a name that does not
 * exist (on AWS and the emulator): a missing secret is exit 3 with or without --force, and one already
 * scheduled is exit 4 naming the two ways on (delete it now, or restore it).
 */
export async function checkDeletable(store: SecretStore, address: SecretAddress, options: {force: boolean}): Promise<void> {
  const name = address.fullName
  const {deletedDate} = await store.describe(name)
  if (deletedDate !== undefined && !options.force) {
    throw new ConflictError(
      `${name} is already scheduled for deletion; nothing was changed.`,
      `To delete it now, with no way back: "secrets delete ${name} --force". To keep it: "secrets restore ${name}".`,
    )
  }
}

/** Schedules the deletion (or, with `force`, deletes at once); checkDeletable comes first. */
export async function deleteSecret(
  store: SecretStore,
  address: SecretAddress,
  options: {recoveryDays: number; force: boolean},
): Promise<DeleteResult> {
  const name = address.fullName
  const result = await store.delete(name, options)
  return {name, outcome: options.force ? 'deleted' : 'scheduled', deletionDate: result.deletionDate?.toISOString()}
}

/** Cancels a scheduled deletion; a secret that is not scheduled is exit 4 (there is nothing to cancel), a missing one exit 3. */
export async function restoreSecret(store: SecretStore, address: SecretAddress): Promise<{name: string; outcome: 'restored'}> {
  const name = address.fullName
  const {deletedDate} = await store.describe(name)
  if (deletedDate === undefined) {
    throw new ConflictError(`${name} is not scheduled for deletion; nothing was restored.`, `It is live as it is: "secrets get ${name}" reads it.`)
  }

  await store.restore(name)
  return {name, outcome: 'restored'}
}
