import {describe, expect, it} from 'vitest'

import {assertGuardedAccount, judgeAccount} from '../../src/core/account-guard.js'
import {AccessDeniedError} from '../../src/core/errors.js'

describe('judgeAccount', () => {
  it.each([
    ['no environment', undefined, '111122223333', {status: 'unguarded'}],
    ['an environment without account:', {}, '111122223333', {status: 'unguarded'}],
    ['an account that could not be read', {account: '111122223333'}, undefined, {status: 'unknown'}],
    ['the expected account', {account: '111122223333'}, '111122223333', {status: 'match', expected: '111122223333'}],
    ['another account', {account: '111122223333'}, '444455556666', {status: 'mismatch', expected: '111122223333', actual: '444455556666'}],
  ] as const)('judges %s', (_, environment, actual, verdict) => {
    expect(judgeAccount(environment, actual)).toEqual(verdict)
  })
})

describe('assertGuardedAccount', () => {
  it('lets a write through in the expected account, and where no account is declared', () => {
    expect(() => assertGuardedAccount({name: 'prod', account: '111122223333'}, '111122223333')).not.toThrow()
    expect(() => assertGuardedAccount({name: 'dev'}, '444455556666')).not.toThrow()
    expect(() => assertGuardedAccount(undefined, '444455556666')).not.toThrow()
  })

  it.each([
    [{role: 'arn:aws:iam::111122223333:role/deploy'}, 'the role arn:aws:iam::111122223333:role/deploy'],
    [{profile: 'acme-prod'}, 'the profile acme-prod'],
    [{}, 'set profile: or role: for it in secrets.yml'],
  ])('refuses another account with exit 5, naming both and how to get the right credentials (%j)', (how, named) => {
    let caught: unknown
    try {
      assertGuardedAccount({name: 'prod', account: '111122223333', ...how}, '444455556666')
    } catch (error) {
      caught = error
    }

    expect(caught).toBeInstanceOf(AccessDeniedError)
    expect(caught).toMatchObject({
      exitCode: 5,
      message: 'Environment prod is account 111122223333, but these credentials are account 444455556666; nothing was written.',
      hint: `Use credentials for account 111122223333 (${named}), or fix account: in secrets.yml.`,
    })
  })
})
