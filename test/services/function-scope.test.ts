import {describe, expect, it} from 'vitest'

import {lambdaFunctionFix} from '../../src/core/audit/fixes.js'
import {SecretValue} from '../../src/core/secret-value.js'
import {migrate} from '../../src/services/migrate.js'
import type {EnvironmentSource} from '../../src/stores/environment-source.js'
import {MemoryStore} from '../../src/stores/memory-store.js'
import {runCli} from '../helpers/cli.js'

/** Every function --all-functions --prefix orders- selected: one, orders-api-prod. */
const ordersFunctions: EnvironmentSource = {
  kind: 'lambda',
  name: 'every function named orders-*',
  many: true,
  variables: async () => [{name: 'orders-api-prod/DB_PASSWORD', variable: 'DB_PASSWORD', workload: 'orders-api-prod', value: SecretValue.fromString('pw-orders-1')}],
}

describe('one function, one service name', () => {
  it("audit's fix, migrate --all-functions --prefix orders- --to prod and the grant printed after it name orders-api-prod's scope alike", async () => {
    const fix = lambdaFunctionFix('orders-api-prod', ['DB_PASSWORD'])
    expect(fix).toContain('--to prod/orders-api ')
    expect(fix).toContain('secrets grant prod/orders-api --function orders-api-prod')

    const report = await migrate(new MemoryStore(), {source: {kind: 'lambda', environment: ordersFunctions}, toEnvironment: {env: 'prod'}, dryRun: false, onConflict: 'fail', deleteSource: false, concurrency: 1})
    expect(report.exitCode).toBe(0)
    expect(report.items.map((item) => item.target)).toEqual(['/prod/orders-api/DB_PASSWORD'])
    expect(report.recipes?.map((recipe) => recipe.grant)).toEqual(['secrets grant prod/orders-api --function orders-api-prod --secret DB_PASSWORD'])
  })

  it('migrate --from-lambda without --to suggests the scope audit\'s fix names for that function, built CLI', async () => {
    const result = await runCli(['migrate', '--from-lambda', 'orders-api-prod'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('Hint: For example: secrets migrate --from-lambda orders-api-prod --to prod/orders-api\n')
    const unknown = await runCli(['migrate', '--from-ecs', 'orders'])
    expect(unknown.stderr).toContain('--to ENV/orders (fill in the placeholder)')
  })
})
