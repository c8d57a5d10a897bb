import {describe, expect, it} from 'vitest'

import type {PromoteItem, PromoteReport} from '../../src/services/promote.js'
import {renderPromotionPlan} from '../../src/ui/render/promote.js'

const item = (name: string, plan: PromoteItem['plan']): PromoteItem => ({name, source: `/staging/api/${name}`, target: `/prod/api/${name}`, plan, outcome: 'not-run' as PromoteItem['outcome']})

function plan(items: PromoteItem[]): PromoteReport {
  return {
    from: 'staging/api',
    to: 'prod/api',
    dryRun: false,
    onConflict: 'fail',
    items,
    totals: {items: items.length} as PromoteReport['totals'],
    exitCode: 0,
    summary: '',
    cost: {newSecrets: 0, replicaRegions: 0, apiCalls: 0, apiCost: 0, pricePerSecret: 0.4, listPrice: true} as unknown as PromoteReport['cost'],
  }
}

describe('the compact promotion plan', () => {
  it('names only the states of the rows it leaves out', () => {
    const text = renderPromotionPlan(plan([item('A', 'create'), item('B', 'update')]), {compact: true, showCost: false})
    expect(text).toContain('1 row not shown (create):')
    const both = renderPromotionPlan(plan([item('A', 'create'), item('C', 'unchanged')]), {compact: true, showCost: false})
    expect(both).toContain('2 rows not shown (create, unchanged):')
  })
})
