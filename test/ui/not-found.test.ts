import {describe, expect, it} from 'vitest'

import {closestCommand, commandNotFound, editDistance} from '../../src/ui/not-found.js'

const IDS = ['audit', 'delete', 'diff', 'doctor', 'fields', 'get', 'grant', 'history', 'list', 'migrate', 'promote', 'restore', 'scan', 'set']

describe('closestCommand', () => {
  it.each([
    ['lst', 'list'],
    ['lsit', 'list'],
    ['promte', 'promote'],
    ['prom', 'promote'],
    ['gte', 'get'],
    ['Migrate', 'migrate'],
    ['docter', 'doctor'],
  ])('suggests %s -> %s', (typed, expected) => {
    expect(closestCommand(typed, IDS)).toBe(expected)
  })

  it.each(['s3cr3t-value', 'xyz', 'hunter2', 'sk_live_abc', '-x', '', 'zzzzzzzz'])('suggests nothing for %j, which is no near miss', (typed) => {
    expect(closestCommand(typed, IDS)).toBeUndefined()
  })

  it('counts a transposition as one edit', () => {
    expect(editDistance('lsit', 'list')).toBe(1)
    expect(editDistance('list', 'list')).toBe(0)
    expect(editDistance('', 'get')).toBe(3)
  })
})

describe('commandNotFound', () => {
  it('never quotes the word typed, with or without a suggestion', () => {
    for (const typed of ['lst', 'canary-a1b2c3d4e5f6']) {
      const error = commandNotFound(typed, IDS, 'secrets')
      expect(error.exitCode).toBe(2)
      expect(`${error.message} ${error.hint}`).not.toContain(typed)
    }

    expect(commandNotFound('lst', IDS, 'secrets').hint).toContain('Did you mean "secrets list"?')
    expect(commandNotFound('canary-a1b2c3d4e5f6', IDS, 'secrets').hint).not.toContain('Did you mean')
  })
})
