import {describe, expect, it} from 'vitest'

import {SecretAddress} from '../../src/core/address.js'
import {ExitCode} from '../../src/core/errors.js'
import {parseSecretArn, parseSecretRef, refuseOutsideScheme} from '../../src/core/secret-ref.js'

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-1a2b3c4d-aaaa-bbbb-cccc-1234567890ab-AbC123'

function exitOf(run: () => unknown): number | undefined {
  try {
    run()
  } catch (error) {
    return (error as {exitCode?: number}).exitCode
  }

  return undefined
}

describe('parseSecretRef', () => {
  it('reads an address, a full name, an ARN and --id', () => {
    expect(parseSecretRef('prod/api', 'DB', undefined)).toMatchObject({kind: 'address', id: '/prod/api/DB', env: 'prod'})
    expect(parseSecretRef('/prod/api/DB', undefined, undefined)).toMatchObject({kind: 'address', id: '/prod/api/DB'})
    expect(parseSecretRef(ARN, undefined, undefined)).toMatchObject({kind: 'external', id: ARN, region: 'eu-west-1'})
    expect(parseSecretRef(undefined, undefined, 'rds!db-1234')).toEqual({kind: 'external', id: 'rds!db-1234'})
  })

  it.each([
    ['an ARN with a NAME', ARN, 'DB', undefined],
    ['a partial ARN (no suffix)', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds', undefined, undefined],
    ['an ARN of another service', 'arn:aws:ssm:eu-west-1:123456789012:parameter/x-AbC123', undefined, undefined],
    ['--id with an address', 'prod/api', 'DB', 'rds!db-1'],
    ['--id with a space', undefined, undefined, 'rds db'],
    ['--id empty', undefined, undefined, ''],
    ['nothing', undefined, undefined, undefined],
  ])('refuses %s with exit 2', (_, scope, name, id) => {
    expect(exitOf(() => parseSecretRef(scope, name, id))).toBe(ExitCode.usage)
  })

  it('splits an ARN into its parts', () => {
    expect(parseSecretArn(ARN)).toMatchObject({partition: 'aws', region: 'eu-west-1', account: '123456789012'})
  })
})

describe('refuseOutsideScheme', () => {
  it('refuses a write to an ARN or an rds! name, and lets an address through', () => {
    expect(exitOf(() => refuseOutsideScheme(ARN))).toBe(ExitCode.usage)
    expect(exitOf(() => refuseOutsideScheme('rds!db-1234'))).toBe(ExitCode.usage)
    expect(exitOf(() => refuseOutsideScheme('prod/api'))).toBeUndefined()
    expect(exitOf(() => SecretAddress.fromArgs(ARN))).toBe(ExitCode.usage)
  })
})
