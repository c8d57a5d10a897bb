import {describe, expect, it} from 'vitest'

import {Scope} from '../../src/core/address.js'
import {migrate, type MigrateOptions, type PlanSummary} from '../../src/services/migrate.js'
import {MemoryStore} from '../../src/stores/memory-store.js'

const ENV_FILE = ['DB_PASSWORD=orders-db-pass-Zq81x', 'DB_HOST=orders.cluster.example.internal', 'TIMEOUT=30', ''].join('\n')

async function plannedWith(select: MigrateOptions['select']): Promise<{plan?: PlanSummary; states: Record<string, string>}> {
  let plan: PlanSummary | undefined
  const report = await migrate(new MemoryStore(), {
    source: {kind: 'dotenv', file: '.env', text: ENV_FILE},
    to: Scope.parse('prod/orders'),
    dryRun: true,
    onConflict: 'fail',
    deleteSource: false,
    concurrency: 1,
    select,
    onPlan: (_items, summary) => {
      plan = summary
    },
  })
  return {plan, states: Object.fromEntries(report.items.map((item) => [item.source, item.plan]))}
}

describe('migrate asked to judge configuration without --secrets-only', () => {
  it('takes every item and names, in the plan, those the audit\'s rules call configuration', async () => {
    const {plan, states} = await plannedWith({judgeConfiguration: true})
    expect(states).toEqual({DB_PASSWORD: 'create', DB_HOST: 'create', TIMEOUT: 'create'})
    expect(plan?.configuration).toEqual(['DB_HOST', 'TIMEOUT'])
  })

  it('names nothing unless asked, and --secrets-only still leaves them in place', async () => {
    expect((await plannedWith({})).plan?.configuration).toBeUndefined()
    const only = await plannedWith({secretsOnly: true})
    expect(only.states).toEqual({DB_PASSWORD: 'create', DB_HOST: 'left', TIMEOUT: 'left'})
    expect(only.plan?.configuration).toBeUndefined()
  })
})
