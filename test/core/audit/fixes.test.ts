import {describe, expect, it} from 'vitest'

import {ecsTaskDefinitionFix, guessScopeFromWorkload, iamGrantFix, lambdaFunctionFix, roleNameOfArn, type RoleUser, roleUsersFix, secretNameFor, ssmParameterFix} from '../../../src/core/audit/fixes.js'

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

  it.each([
    ['DB_PASSWORD', 'DB_PASSWORD'],
    ['db-password', 'db-password'],
    ['webhook-secret', 'NAME'],
    ['MY KEY', 'NAME'],
  ])('names the secret of %s %s, never a name the CLI would refuse', (variable, name) => {
    expect(secretNameFor(variable)).toBe(name)
  })

  it("migrates a Lambda function's secrets at once and grants all of them in one command", () => {
    expect(lambdaFunctionFix('prod-checkout', ['STRIPE_KEY', 'DB_PASSWORD'])).toBe(
      'secrets migrate --from-lambda prod-checkout --to prod/checkout && secrets grant prod/checkout --function prod-checkout --secret DB_PASSWORD --secret STRIPE_KEY --runtime nodejs  # then remove DB_PASSWORD, STRIPE_KEY from prod-checkout\'s environment (python: --runtime python)',
    )
    expect(lambdaFunctionFix('checkout', ['DB_PASSWORD'])).toBe(
      'secrets migrate --from-lambda checkout --to ENV/checkout && secrets grant ENV/checkout --function checkout --secret DB_PASSWORD --runtime nodejs (fill in ENV)  # then remove DB_PASSWORD from checkout\'s environment (python: --runtime python)',
    )
  })

  it.each([
    ['python3.12', ' --runtime python'],
    ['nodejs20.x', ' --runtime nodejs'],
  ])("grants a %s function's secrets with the handler of its own runtime, and says nothing more of it", (runtime, flag) => {
    expect(lambdaFunctionFix('billing-prod', ['DB_PASSWORD'], runtime)).toBe(
      `secrets migrate --from-lambda billing-prod --to prod/billing && secrets grant prod/billing --function billing-prod --secret DB_PASSWORD${flag}  # then remove DB_PASSWORD from billing-prod's environment`,
    )
  })

  it.each(['java21', 'go1.x', 'dotnet8', 'ruby3.3', 'provided.al2023'])('prints no --runtime for a %s function, and says the handlers cover Node.js and Python', (runtime) => {
    const fix = lambdaFunctionFix('billing-prod', ['DB_PASSWORD'], runtime)
    expect(fix).toContain('secrets grant prod/billing --function billing-prod --secret DB_PASSWORD  # then remove DB_PASSWORD')
    expect(fix).not.toContain('--runtime')
    expect(fix).toContain(`(no handler is printed for ${runtime}: the handlers cover Node.js and Python;`)
  })

  it("migrates every container's secrets of a task definition family at once, one grant for its task role (a name in two containers once), and says what valueFrom leaves", () => {
    expect(ecsTaskDefinitionFix('web-prod', ['DB_PASSWORD', 'API_TOKEN', 'DB_PASSWORD'])).toBe(
      'secrets migrate --from-ecs web-prod --to prod/web && secrets grant prod/web --task web-prod --secret API_TOKEN --secret DB_PASSWORD --runtime nodejs  # then remove API_TOKEN, DB_PASSWORD from web-prod\'s container environment and read them at run time with the module the grant prints (python: --runtime python); moving them to the container\'s secrets (valueFrom) instead is the lesser step: ECS then sets each value as an environment variable of the container, visible to anything that can read the process environment',
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

  it('gives a role used by workloads one grant per workload, naming them, in the environment its policy names', () => {
    const users = [
      {kind: 'lambda' as const, name: 'orders-api', secrets: ['DB_PASSWORD', 'API_KEY']},
      {kind: 'ecs' as const, name: 'orders-worker', secrets: []},
    ]
    expect(roleUsersFix('orders-role', new Map([['prod', new Set<string>()]]), users, false)).toBe(
      'replace the statement (orders-role is used by function orders-api, task definition orders-worker) with: secrets grant prod/orders-api --function orders-api --secret API_KEY --secret DB_PASSWORD; secrets grant prod/orders-worker --function orders-worker --secret NAME (fill in NAME)',
    )
    // The policy names no environment (`*`): each workload's own name gives it, or a placeholder says so.
    const arrival: RoleUser[] = [
      {kind: 'ecs', name: 'b-worker', secrets: []},
      {kind: 'lambda', name: 'a-api', secrets: []},
    ]
    expect(roleUsersFix('r', new Map(), arrival, false)).toBe(roleUsersFix('r', new Map(), [...arrival].reverse(), false))
    expect(roleUsersFix('r', new Map(), arrival, false)).toMatch(/^replace the statement \(r is used by function a-api, task definition b-worker\)/)
    expect(roleUsersFix('r', new Map(), [{kind: 'lambda', name: 'billing-prod', secrets: ['TOKEN']}], false)).toBe(
      'replace the statement (r is used by function billing-prod) with: secrets grant prod/billing --function billing-prod --secret TOKEN',
    )
    expect(roleUsersFix('r', new Map(), [{kind: 'lambda', name: 'billing', secrets: ['TOKEN']}], false)).toMatch(/secrets grant ENV\/billing .* \(fill in ENV\)$/)
    expect(roleNameOfArn('arn:aws:iam::123456789012:role/service-role/billing')).toBe('billing')
  })
})
