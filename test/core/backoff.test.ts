import {describe, expect, it} from 'vitest'

import {jitteredDelay, retryWithBackoff} from '../../src/core/backoff.js'

describe('jitteredDelay', () => {
  it.each([
    [1, 0.999, 24],
    [2, 0.999, 49],
    [3, 0.5, 50],
    [10, 0.999, 999],
    [30, 0.999, 999],
    [5, 0, 0],
  ])('retry %i with random %d waits %i ms (base 25, cap 1000)', (retry, random, expected) => {
    expect(jitteredDelay(retry, {baseMs: 25, capMs: 1000, random: () => random})).toBe(expected)
  })
})

describe('retryWithBackoff', () => {
  it('returns the first result and how many attempts it took, sleeping between attempts only', async () => {
    const sleeps: number[] = []
    const outcome = await retryWithBackoff(
      async (number) => (number === 3 ? 'done' : undefined),
      {maxAttempts: 5, baseMs: 10, capMs: 100, random: () => 0.5, sleep: async (ms) => void sleeps.push(ms)},
      () => new Error('exhausted'),
    )
    expect(outcome).toEqual({result: 'done', attempts: 3})
    expect(sleeps).toEqual([5, 10])
  })

  it('stops after maxAttempts with the error exhausted builds', async () => {
    let calls = 0
    await expect(
      retryWithBackoff(
        async () => {
          calls++
          return undefined
        },
        {maxAttempts: 4, baseMs: 1, capMs: 1, sleep: async () => {}},
        (attempts) => new Error(`gave up after ${attempts}`),
      ),
    ).rejects.toThrow('gave up after 4')
    expect(calls).toBe(4)
  })

  it('does not retry an error the attempt throws', async () => {
    let calls = 0
    await expect(
      retryWithBackoff(
        async () => {
          calls++
          throw new Error('denied')
        },
        {maxAttempts: 4, baseMs: 1, capMs: 1, sleep: async () => {}},
        () => new Error('exhausted'),
      ),
    ).rejects.toThrow('denied')
    expect(calls).toBe(1)
  })
})
