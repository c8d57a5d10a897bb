import {beforeAll, describe, expect, it} from 'vitest'

import {createFunction, expectNoValues, functionConfiguration, secretStore, secretValues} from '../fixtures/migrate-helpers.js'
import {emulatorEndpoint, runCli, useOwnEmulator} from '../helpers/cli.js'
import {type LambdaRevisionProxy, startLambdaRevisionProxy} from '../helpers/lambda-revisions.js'

// Every function of the account is read: this file's emulator is its own.
await useOwnEmulator()

interface Report {
  items: {source: string; target?: string; plan: string; outcome: string}[]
  exitCode: number
  recipe?: unknown
  recipes?: {workload: string; grant: string; removeVariables: string[]; removedVariables?: string[]}[]
}

const VALUES = ['all-billing-pw-1', 'all-shop-token-2', 'all-dev-pw-3', 'all-search-pw-4', 'all-qa-pw-5', 'all-qa-token-6']

describe('secrets migrate --all-functions', () => {
  beforeAll(async () => {
    await createFunction('prod-billing', {DB_PASSWORD: VALUES[0], LOG_LEVEL: 'info'})
    await createFunction('prod-checkout', {API_TOKEN: VALUES[1], REGION: 'eu-west-1'}, {Tags: {team: 'shop'}})
    await createFunction('dev-billing', {DB_PASSWORD: VALUES[2]})
    await createFunction('prod-search', {DB_PASSWORD: VALUES[3]}, {Tags: {team: 'shop'}})
    // The dry run's own functions: what the other tests migrate would plan as unchanged, in whatever order they run.
    await createFunction('qa-billing', {DB_PASSWORD: VALUES[4], LOG_LEVEL: 'info'})
    await createFunction('qa-checkout', {API_TOKEN: VALUES[5]})
  })

  it('plans every function the prefix selects, each to /ENV/<name without its environment word>/, and writes nothing on a dry run', async () => {
    const result = await runCli(['migrate', '--all-functions', '--prefix', 'qa-', '--to', 'qa', '--dry-run'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/qa-billing\/DB_PASSWORD +- +\/qa\/billing\/DB_PASSWORD +create/)
    expect(result.stdout).toMatch(/qa-checkout\/API_TOKEN +- +\/qa\/checkout\/API_TOKEN +create/)
    expect(result.stdout).toMatch(/qa-billing\/LOG_LEVEL .*left/)
    expect(result.stdout).not.toContain('prod-billing')
    expect((await secretValues(['/qa/billing/DB_PASSWORD'])).get('/qa/billing/DB_PASSWORD')).toBeUndefined()
  })

  it('--tag narrows to the functions carrying it; the run prints one grant per function', async () => {
    const result = await runCli(['migrate', '--all-functions', '--tag', 'team=shop', '--to', 'prod', '--prefix', 'prod-', '--json'])
    expect(result.code, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout) as Report
    expect(report.items.map((item) => [item.source, item.target ?? '-', item.outcome])).toEqual([
      ['prod-checkout/API_TOKEN', '/prod/checkout/API_TOKEN', 'created'],
      ['prod-checkout/REGION', '-', 'left'],
      ['prod-search/DB_PASSWORD', '/prod/search/DB_PASSWORD', 'created'],
    ])
    expect(report.recipe).toBeUndefined()
    expect(report.recipes?.map(({workload, grant, removeVariables}) => [workload, grant, removeVariables])).toEqual([
      ['prod-checkout', 'secrets grant prod/checkout --function prod-checkout --secret API_TOKEN', ['API_TOKEN']],
      ['prod-search', 'secrets grant prod/search --function prod-search --secret DB_PASSWORD', ['DB_PASSWORD']],
    ])
    const values = await secretValues(['/prod/checkout/API_TOKEN', '/prod/search/DB_PASSWORD', '/prod/billing/DB_PASSWORD'])
    expect(['/prod/checkout/API_TOKEN', '/prod/search/DB_PASSWORD', '/prod/billing/DB_PASSWORD'].map((name) => values.get(name))).toEqual([VALUES[1], VALUES[3], undefined])
    // Tagged as from the function, as a single-function run tags it (so either run finds it later).
    expect((await (await secretStore()).describe('/prod/search/DB_PASSWORD')).tags['secrets:source-name']).toBe('prod-search:DB_PASSWORD')
    const text = await runCli(['migrate', '--all-functions', '--tag', 'team=shop', '--to', 'prod', '--prefix', 'prod-'])
    expect(text.stdout).toContain('Left to do (function prod-checkout was not changed):')
    expect(text.stdout).toContain('     secrets grant prod/search --function prod-search --secret DB_PASSWORD\n')
    expectNoValues([result.stdout, result.stderr, text.stdout, text.stderr], VALUES)
  })

  it('--remove-from-source takes the migrated variables out of each function it moved', async () => {
    const proxy: LambdaRevisionProxy = await startLambdaRevisionProxy(emulatorEndpoint())
    try {
      const result = await runCli(['migrate', '--all-functions', '--prefix', 'dev-', '--to', 'dev', '--remove-from-source'], {env: {AWS_ENDPOINT_URL: proxy.endpoint}})
      expect(result.code, result.stderr).toBe(0)
      // Its only variable was a secret: the function is left with no variables (and every setting).
      expect((await functionConfiguration('dev-billing')).Environment?.Variables ?? {}).toEqual({})
      expect((await functionConfiguration('dev-billing')).Handler).toBe('index.handler')
      expect((await functionConfiguration('prod-billing')).Environment?.Variables).toEqual({DB_PASSWORD: VALUES[0], LOG_LEVEL: 'info'})
      expect((await secretValues(['/dev/billing/DB_PASSWORD'])).get('/dev/billing/DB_PASSWORD')).toBe(VALUES[2])
      expect(proxy.updates.map(({fn, accepted}) => [fn, accepted])).toEqual([['dev-billing', true]])
    } finally {
      await proxy.close()
    }
  })

  it('needs --to ENV alone, and takes --prefix and --tag only with --all-functions', async () => {
    const scoped = await runCli(['migrate', '--all-functions', '--to', 'prod/billing'])
    expect(scoped.code).toBe(2)
    expect(scoped.stderr).toContain('--all-functions needs --to ENV')
    const badTag = await runCli(['migrate', '--all-functions', '--to', 'prod', '--tag', 'team'])
    expect(badTag.code).toBe(2)
    const none = await runCli(['migrate', '--all-functions', '--to', 'prod', '--prefix', 'nothing-'])
    expect(none.code).toBe(3)
    expect(none.stderr).toContain('No Lambda function in this account and region matches: every function named nothing-*.')
    const stray = await runCli(['migrate', '--from-lambda', 'prod-billing', '--to', 'prod/billing', '--prefix', 'prod-'])
    expect(stray.code).toBe(2)
  })
})
