import {AccessDeniedError} from './errors.js'

/** What secrets.yml says of an environment that the account guard reads. */
export interface GuardedEnvironment {
  name: string
  account?: string
  role?: string
  profile?: string
}

/**
 * The account guard, the one place of its rule: in an environment with `account:`, the credentials
 * must be of that account, or nothing is written. `unguarded` without `account:`; `unknown` when the
 * caller's account could not be read (doctor reports that failure itself).
 */
export type AccountVerdict =
  | {status: 'unguarded' | 'unknown'}
  | {status: 'match'; expected: string}
  | {status: 'mismatch'; expected: string; actual: string}

export function judgeAccount(environment: Pick<GuardedEnvironment, 'account'> | undefined, actual: string | undefined): AccountVerdict {
  const expected = environment?.account
  if (expected === undefined) return {status: 'unguarded'}
  if (actual === undefined) return {status: 'unknown'}
  return actual === expected ? {status: 'match', expected} : {status: 'mismatch', expected, actual}
}

/** Before a write: throws exit 5 naming both accounts when the guard refuses; nothing was written. */
export function assertGuardedAccount(environment: GuardedEnvironment | undefined, actual: string): void {
  const verdict = judgeAccount(environment, actual)
  if (verdict.status !== 'mismatch' || environment === undefined) return
  const how = environment.role ? `the role ${environment.role}` : environment.profile ? `the profile ${environment.profile}` : 'set profile: or role: for it in secrets.yml'
  throw new AccessDeniedError(
    `Environment ${environment.name} is account ${verdict.expected}, but these credentials are account ${verdict.actual}; nothing was written.`,
    `Use credentials for account ${verdict.expected} (${how}), or fix account: in secrets.yml.`,
  )
}
