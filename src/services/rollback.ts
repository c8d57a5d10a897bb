import type {SecretAddress} from '../core/address.js'
import {ConflictError, NotFoundError} from '../core/errors.js'
import {CURRENT_STAGE, PREVIOUS_STAGE, type SecretStore, type SecretVersion} from '../stores/secret-store.js'

/** What a rollback would do: the version AWSCURRENT leaves and the one it moves to, as read. */
export interface RollbackPlan {
  name: string
  from: {versionId: string; createdDate?: string}
  to: {versionId: string; createdDate?: string}
}

export interface RollbackResult extends RollbackPlan {
  outcome: 'rolled-back'
}

const dated = (version: SecretVersion) => ({versionId: version.versionId, ...(version.createdDate ? {createdDate: version.createdDate.toISOString()} : {})})

/**
 * Reads the versions and picks where AWSCURRENT goes: the version AWSPREVIOUS holds, or `toVersionId`.
 * Read before anyone is asked: a secret with nothing to go back to is exit 3, and one scheduled for
 * deletion exit 4.
 */
export async function planRollback(store: SecretStore, address: SecretAddress, toVersionId?: string): Promise<RollbackPlan> {
  const name = address.fullName
  const {deletedDate} = await store.describe(name)
  if (deletedDate !== undefined) throw new ConflictError(`${name} is scheduled for deletion; nothing was changed.`, `Restore it first: secrets restore ${name}`)
  const versions = await store.history(name)
  const current = versions.find((version) => version.stages.includes(CURRENT_STAGE))
  if (current === undefined) throw new NotFoundError(`${name} has no current version.`)
  const target = toVersionId === undefined ? versions.find((version) => version.stages.includes(PREVIOUS_STAGE)) : versions.find((version) => version.versionId === toVersionId)
  if (target === undefined) {
    // A version id is an identifier, not a value, but it came from the command line: it is not echoed.
    throw new NotFoundError(
      toVersionId === undefined ? `${name} has no previous version (AWSPREVIOUS) to go back to.` : `${name} has no such version (or it has no stage left, as AWS keeps only labelled versions).`,
      `Its versions: secrets history ${name}`,
    )
  }

  if (target.versionId === current.versionId) throw new ConflictError(`That version of ${name} is already current; nothing was changed.`)
  return {name, from: dated(current), to: dated(target)}
}

/**
 * Makes the planned version current with a compare-and-swap on AWSCURRENT: one stage move, no new
 * version. A write that landed after the plan was read (a field write, a rotation) makes it fail
 * (exit 4) and stays current: a rollback never undoes what it did not see.
 */
export async function rollback(store: SecretStore, plan: RollbackPlan): Promise<RollbackResult> {
  const {moved} = await store.moveCurrent(plan.name, plan.to.versionId, plan.from.versionId)
  if (!moved) {
    throw new ConflictError(
      `${plan.name} was written after it was read (another version is current now); nothing was rolled back.`,
      `See what changed with "secrets history ${plan.name}", then run the rollback again if it still applies.`,
    )
  }

  return {...plan, outcome: 'rolled-back'}
}
