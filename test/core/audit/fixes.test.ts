import {describe, expect, it} from 'vitest'

import {guessScopeFromWorkload, iamGrantFix, lambdaVariableFix, ssmParameterFix} from '../../../src/core/audit/fixes.js'

describe('fix commands', () => {
  it.each([
    ['prod-checkout', {env: 'prod', service: 'checkout'}],
    ['checkout_staging', {env: 'staging', service: 'checkout'}],
    ['billing-worker-dev', {env: 'dev', service: 'billing-worker'}],
    ['checkout', {env: 'ENV', service: 'checkout'}],
    ['prod', {env: 'prod', service: 'SERVICE'}],
  ])('reads the scope of %s', (name, scope) => {
    expect(guessScopeFromWorkload(name)).toEqual(scope)
  })

  it.each([
    ['/prod/billing/DB_PASSWORD', 'secrets migrate --from-ssm /prod/billing --to prod/billing --only DB_PASSWORD --delete-source'],
    ['/prod/billing/db/PASSWORD', 'secrets migrate --from-ssm /prod/billing/db --to prod/billing --only PASSWORD --delete-source'],
    ['/prod/DB_PASSWORD', 'secrets migrate --from-ssm /prod --to prod/SERVICE --only DB_PASSWORD (fill in SERVICE; add --delete-source once the secret is where it belongs)'],
    ['db-password', 'secrets migrate --from-ssm / --to ENV/SERVICE --only db-password (fill in ENV and SERVICE; add --delete-source once the secret is where it belongs)'],
  ])('migrates parameter %s, and only it', (name, fix) => {
    expect(ssmParameterFix(name)).toBe(fix)
  })

  it('moves a Lambda variable into Secrets Manager and grants exactly that secret', () => {
    expect(lambdaVariableFix('prod-checkout', 'DB_PASSWORD')).toBe(
      "secrets set prod/checkout DB_PASSWORD; remove DB_PASSWORD from the function's environment (aws lambda update-function-configuration); secrets grant prod/checkout --function prod-checkout --secret DB_PASSWORD",
    )
  })

  it('gives one grant per environment and service', () => {
    const services = new Map([
      ['staging', new Set(['api'])],
      ['prod', new Set(['api', 'billing'])],
    ])
    expect(iamGrantFix('app-role', services, true)).toBe(
      'give each environment its own role with: secrets grant prod/api --function app-role --secret NAME; secrets grant prod/billing --function app-role --secret NAME; secrets grant staging/api --function app-role --secret NAME',
    )
    expect(iamGrantFix('app-role', new Map(), false)).toBe('replace the statement with: secrets grant ENV/app-role --function app-role --secret NAME')
    expect(iamGrantFix('billing-prod', new Map(), false)).toBe('replace the statement with: secrets grant prod/billing --function billing-prod --secret NAME')
    expect(iamGrantFix('ops-prod', new Map([['prod', new Set<string>()]]), false)).toBe('replace the statement with: secrets grant prod/ops --function ops-prod --secret NAME')
  })
})
