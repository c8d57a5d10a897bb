import {describe, expect, it} from 'vitest'

import {phaseLine, progressText} from '../../src/ui/render/migrate.js'
import type {MigrationProgress} from '../../src/services/migrate.js'

const writing: MigrationProgress = {phase: 'writing', read: 300, planned: 300, toWrite: 300, written: 150, verified: 0, failed: 0, deleted: 0}

describe("migrate's progress line at a terminal", () => {
  it('shows a bar, the items done, the pace and the time left while writing', () => {
    expect(progressText(writing, {perSecond: 42.4, secondsLeft: 3.5})).toBe('Migrating [##########----------] 150/300 written, 42/s, about 4 s left, 0 verified, 0 failed')
    expect(progressText({...writing, written: 30}, {perSecond: 1, secondsLeft: 270})).toContain('about 4 min 30 s left')
  })

  it('has no pace before there is one to tell, and no bar outside the writing', () => {
    expect(progressText(writing)).toBe('Migrating [##########----------] 150/300 written, 0 verified, 0 failed')
    expect(progressText({...writing, phase: 'verifying', written: 300, verified: 120})).toBe('Migrating 300/300 written, 120 verified, 0 failed')
    expect(progressText({...writing, phase: 'reading', read: 50})).toBe('Reading the source: 50 found')
  })
})

describe('counted words agree with their numbers', () => {
  it('says one source parameter deleted in the singular', () => {
    const deleting: MigrationProgress = {...writing, phase: 'deleting', written: 1, verified: 1, deleted: 1}
    const done: MigrationProgress = {...deleting, phase: 'done'}
    expect(phaseLine(done, 'deleting')).toBe('deleted 1 source parameter')
    expect(phaseLine({...done, deleted: 2}, 'deleting')).toBe('deleted 2 source parameters')
    expect(progressText(deleting)).toMatch(/, 1 source deleted$/)
    expect(progressText({...deleting, deleted: 3})).toMatch(/, 3 sources deleted$/)
  })
})
