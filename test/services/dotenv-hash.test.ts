import {describe, expect, it} from 'vitest'

import {Scope} from '../../src/core/address.js'
import {migrate, type MigrateOptions} from '../../src/services/migrate.js'
import {MemoryStore} from '../../src/stores/memory-store.js'

const ENV_TEXT = "TOKEN=abc#notcomment\nREGION=eu-west-1 # where it runs\nDB_PASSWORD='pw#quoted'\n"
const options = (extra: Partial<MigrateOptions> = {}): MigrateOptions => ({
  source: {kind: 'dotenv', file: '.env', text: ENV_TEXT},
  to: Scope.parse('prod/api'),
  dryRun: true,
  onConflict: 'fail',
  deleteSource: false,
  concurrency: 1,
  ...extra,
})

describe('migrate --from-dotenv: a value dotenv cuts at #', () => {
  it('warns before the plan, naming the key and line and never the value; a # after a space is a comment, said nothing of', async () => {
    const warnings: string[] = []
    const report = await migrate(new MemoryStore(), options({onWarning: (warning) => warnings.push(warning)}))
    expect(warnings).toEqual([expect.stringMatching(/^\.env line 1: the value of TOKEN is cut at "#" .*quote it: TOKEN='\.\.\.'/)])
    expect(report.warnings).toEqual(warnings)
    expect(report.items.map((item) => [item.source, item.plan])).toEqual([
      ['TOKEN', 'create'],
      ['REGION', 'create'],
      ['DB_PASSWORD', 'create'],
    ])
    expect(JSON.stringify(report)).not.toMatch(/notcomment|pw#quoted/)
  })

  it('--secrets-only refuses the key unless it is quoted, saying how to quote it', async () => {
    const warnings: string[] = []
    const report = await migrate(new MemoryStore(), options({select: {secretsOnly: true, scan: async (values) => values.map(() => [])}, onWarning: (warning) => warnings.push(warning)}))
    const token = report.items.find((item) => item.source === 'TOKEN')
    expect(token).toMatchObject({plan: 'invalid', line: 1})
    expect(token?.reason).toContain("quote the value, TOKEN='...', to migrate it whole")
    expect(report.items.find((item) => item.source === 'DB_PASSWORD')?.plan).toBe('create')
    expect(report.hint).toContain("Quote the values that hold a # (KEY='...')")
    expect(warnings).toEqual([])
  })
})
