import {describe, expect, it} from 'vitest'

import {estimateCost} from '../../src/core/cost.js'
import {type ItemReport, type MigrationSource, type PlanSummary, ssmSource} from '../../src/services/migrate.js'
import {renderMigrationPlan} from '../../src/ui/render/migrate.js'
import {wrapToWidth} from '../../src/ui/wrap.js'

const item = (name: string): ItemReport => ({source: `/prod/orders/${name}`, type: 'SecureString', target: `/prod/orders/${name}`, plan: 'create', outcome: 'planned'})
const items = (count: number) => Array.from({length: count}, (_, index) => item(`TOKEN_${index}`))
const summary = (count: number): PlanSummary & {source: MigrationSource} => ({
  // The plan reads nothing from its source here: the parameters are never listed.
  source: ssmSource('/prod/orders', {pages: async function* () {}, read: async () => new Map(), delete: async () => []}),
  sourcesToDelete: [],
  notSelected: 0,
  cost: estimateCost({newSecrets: count, replicaRegions: 0, apiCalls: count + 1}),
})
const terminal = {compact: true, showCost: true, rows: 24, columns: 100}

describe('the compact migration plan', () => {
  it('lists every row when the plan fits in the terminal\'s rows', () => {
    const text = renderMigrationPlan(items(8), false, summary(8), terminal)
    expect(text).toContain('Plan: 8 items: 8 create.')
    for (let index = 0; index < 8; index++) expect(text).toContain(`/prod/orders/TOKEN_${index}`)
    expect(text).not.toContain('not shown')
  })

  it('counts the rows instead when they would scroll past the screen', () => {
    const text = renderMigrationPlan(items(30), false, summary(30), terminal)
    expect(text).toContain('30 rows not shown (create)')
    expect(text).not.toContain('/prod/orders/TOKEN_0')
  })

  it('names the items the audit\'s rules call configuration, or counts them past five', () => {
    const three = renderMigrationPlan(items(8), false, {...summary(8), configuration: ['/prod/orders/DB_HOST', '/prod/orders/TIMEOUT', '/prod/orders/ALLOWED_HOSTS']}, {...terminal, columns: 300})
    expect(three).toContain("3 of the items this plan writes are configuration by the audit's rules, not secrets (/prod/orders/DB_HOST, /prod/orders/TIMEOUT, /prod/orders/ALLOWED_HOSTS): --secrets-only")
    const many = renderMigrationPlan(items(8), true, {...summary(8), configuration: items(6).map((each) => each.source)}, {...terminal, columns: 300})
    expect(many).toContain("6 of the items this plan would write are configuration by the audit's rules, not secrets: --secrets-only")
  })
})

describe('wrapToWidth', () => {
  it('breaks between words at the width, and leaves a word longer than it whole', () => {
    expect(wrapToWidth('aaa bbb ccc ddd eee fff ggg hhh', 20)).toBe('aaa bbb ccc ddd eee\nfff ggg hhh')
    expect(wrapToWidth(`short ${'x'.repeat(30)} end`, 20)).toBe(`short\n${'x'.repeat(30)}\nend`)
    expect(wrapToWidth('one\ntwo', 20)).toBe('one\ntwo')
  })
})
