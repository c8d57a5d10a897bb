import {describe, expect, it} from 'vitest'

import type {MigrationReport} from '../../src/services/migrate.js'
import {migrationResult} from '../../src/ui/render/migrate.js'

const report = {
  source: {kind: 'ssm', name: '/prod/api'},
  dryRun: false,
  onConflict: 'fail',
  deleteSource: false,
  interrupted: false,
  items: [
    {source: '/prod/api/DB_PASS', target: '/prod/api/DB_PASS', plan: 'create', outcome: 'created', verified: true},
    {source: '/prod/api/TOKEN', target: '/prod/api/TOKEN', plan: 'create', outcome: 'failed', reason: 'AccessDenied'},
  ],
  sourcesToDelete: [],
  totals: {items: 2, created: 1, failed: 1},
  exitCode: 5,
  summary: 'Migration: 2 items: 1 created, 1 failed.',
  hint: 'Fix the cause shown for the failed items and run the same command again.',
} as unknown as MigrationReport

describe("migrate's result", () => {
  it('shows the result table, the summary and the hint without --json', () => {
    const result = migrationResult(report, {compact: false})
    expect(result.stdout).toMatch(/^Result:\n/)
    expect(result.stdout).toContain('/prod/api/TOKEN')
    expect(result.stdout).toContain('Migration: 2 items: 1 created, 1 failed.')
    expect(result).toMatchObject({json: report, exitCode: 5, hint: report.hint})
  })

  it('makes no text under --json, where the report itself is the output', () => {
    expect(migrationResult(report, {compact: false, json: true})).toEqual({json: report, exitCode: 5})
  })
})
