import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {listingPrefix, MAX_SECRET_NAME_LENGTH, Scope, SecretAddress} from '../../src/core/address.js'
import {ExitCode, UsageError} from '../../src/core/errors.js'

const PART_CHARS = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+=.@-']
const validPart = fc
  .array(fc.constantFrom(...PART_CHARS), {minLength: 1, maxLength: 40})
  .map((chars) => chars.join(''))
  // The ARN-suffix look-alike and dots-only rules are covered by their own cases above and below.
  .filter((part) => !/-[^-/]{6}$/.test(part) && !/^\.+$/.test(part))

function rejection(run: () => unknown): UsageError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError)
    expect((error as UsageError).exitCode).toBe(ExitCode.usage)
    return error as UsageError
  }

  throw new Error('expected a rejection')
}

describe('SecretAddress', () => {
  it.each([
    ['prod/api', 'DB_PASS', '/prod/api/DB_PASS'],
    ['/prod/api/', 'DB_PASS', '/prod/api/DB_PASS'],
    ['staging/billing-v2', 'stripe.key@live+1=x', '/staging/billing-v2/stripe.key@live+1=x'],
    ['/prod/api/DB_PASS', undefined, '/prod/api/DB_PASS'],
    ['prod/api/DB_PASS', undefined, '/prod/api/DB_PASS'],
  ])('addresses %s %s as %s', (scope, name, full) => {
    expect(SecretAddress.fromArgs(scope, name).fullName).toBe(full)
  })

  it.each([
    ['', 'X', /environment is empty|expected ENV\/SERVICE/],
    ['prod', 'X', /expected ENV\/SERVICE/],
    ['prod/api/extra', 'X', /expected ENV\/SERVICE/],
    ['prod//api', 'X', /expected ENV\/SERVICE/],
    ['prod/', 'X', /expected ENV\/SERVICE|service is empty/],
    ['pr od/api', 'X', /environment "pr od" contains a space/],
    ['prod/a*pi', 'X', /service "a\*pi" contains "\*"/],
    ['prod/api', 'DB PASS', /name "DB PASS" contains a space/],
    ['prod/api', 'DB/PASS', /name "DB\/PASS" contains a "\/"/],
    ['prod/api', 'päss', /name .* contains the character U\+00E4/],
    ['prod/api', '', /name is empty/],
    ['prod/api', 'DB_PASS-abcdef', /hyphen and six characters/],
    ['prod/api', '-ABC123', /hyphen and six characters/],
    ['../etc', 'X', /expected ENV\/SERVICE|environment/],
    ['prod/..', 'X', /./],
    ['prod/api', undefined, /^Missing the secret name:/],
    ['prod', undefined, /^Missing the service and the secret name \(only an environment was given\)/],
    ['/prod/api/x/y', undefined, /three parts|Missing/],
  ])('refuses %j %j', (scope, name, message) => {
    const error = rejection(() => SecretAddress.fromArgs(scope, name))
    expect(error.message).toMatch(message)
  })

  it('accepts a name of exactly 256 characters and refuses 257', () => {
    const base = '/prod/api/'
    const fits = 'N'.repeat(MAX_SECRET_NAME_LENGTH - base.length)
    expect(SecretAddress.fromArgs('prod/api', fits).fullName).toHaveLength(256)
    expect(rejection(() => SecretAddress.fromArgs('prod/api', `${fits}N`)).message).toMatch(/257 characters/)
  })

  it('keeps a hyphen followed by five or seven characters', () => {
    expect(SecretAddress.fromArgs('prod/api', 'DB-abcde').name).toBe('DB-abcde')
    expect(SecretAddress.fromArgs('prod/api', 'DB-abcdefg').name).toBe('DB-abcdefg')
  })

  it('never echoes control characters into its message', () => {
    const error = rejection(() => SecretAddress.fromArgs('prod/api', 'a\u001B[2Jb'))
    expect(error.message).not.toContain('\u001B')
  })

  it('round-trips every valid address through its full name', () => {
    fc.assert(
      fc.property(validPart, validPart, validPart, (env, service, name) => {
        fc.pre(env.length + service.length + name.length + 3 <= MAX_SECRET_NAME_LENGTH)
        const address = SecretAddress.fromArgs(`${env}/${service}`, name)
        const again = SecretAddress.fromArgs(address.fullName)
        expect([again.env, again.service, again.name]).toEqual([env, service, name])
      }),
    )
  })

  it('answers any string with an address or a UsageError, never anything else', () => {
    fc.assert(
      fc.property(fc.string({unit: 'grapheme', maxLength: 300}), fc.string({unit: 'grapheme', maxLength: 300}), (scope, name) => {
        try {
          const address = SecretAddress.fromArgs(scope, name)
          expect(address.fullName).toMatch(/^\/[\w+=.@-]+\/[\w+=.@-]+\/[\w+=.@-]+$/)
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError)
        }
      }),
    )
  })
})

describe('Scope', () => {
  it('contains only its own direct secrets', () => {
    const scope = Scope.parse('prod/api')
    expect(scope.contains('/prod/api/DB_PASS')).toBe(true)
    expect(scope.contains('/prod/api2/DB_PASS')).toBe(false)
    expect(scope.contains('/prod/API/DB_PASS')).toBe(false)
    expect(scope.contains('/prod/api/deep/X')).toBe(false)
  })
})

describe('listingPrefix', () => {
  it.each([
    [undefined, '/'],
    ['', '/'],
    ['prod', '/prod/'],
    ['prod/api', '/prod/api/'],
    ['/prod/api/', '/prod/api/'],
  ])('lists %j under %s', (input, prefix) => {
    expect(listingPrefix(input)).toBe(prefix)
  })

  it('refuses an invalid environment', () => {
    expect(rejection(() => listingPrefix('pr*d')).message).toMatch(/environment/)
  })
})
