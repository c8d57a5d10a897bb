import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {compareDigests, countDiff, countPlan, planPromotion, scopesEqual} from '../../src/core/env-compare.js'

const digests = (entries: Record<string, string>) => new Map(Object.entries(entries))

describe('compareDigests', () => {
  it.each([
    ['both empty', {}, {}, []],
    ['only in the left', {A: 'x'}, {}, [{name: 'A', state: 'only-left'}]],
    ['only in the right', {}, {B: 'y'}, [{name: 'B', state: 'only-right'}]],
    ['equal values', {A: 'x'}, {A: 'x'}, [{name: 'A', state: 'equal'}]],
    ['different values', {A: 'x'}, {A: 'y'}, [{name: 'A', state: 'different'}]],
    [
      'all four, sorted by name',
      {D: '1', B: '2', C: '3'},
      {A: '9', B: '2', C: '4'},
      [
        {name: 'A', state: 'only-right'},
        {name: 'B', state: 'equal'},
        {name: 'C', state: 'different'},
        {name: 'D', state: 'only-left'},
      ],
    ],
  ])('classifies %s', (_, left, right, expected) => {
    expect(compareDigests(digests(left), digests(right))).toEqual(expected)
  })

  it('sorts by code point, not by locale', () => {
    expect(compareDigests(digests({b: '1', B: '1', _a: '1'}), new Map()).map((entry) => entry.name)).toEqual(['B', '_a', 'b'])
  })

  const side = fc.dictionary(fc.stringMatching(/^[A-Za-z0-9_]{1,8}$/), fc.constantFrom('d1', 'd2', 'd3'))

  it('lists every name of either side exactly once, and is equal only when the maps are', () => {
    fc.assert(
      fc.property(side, side, (l, r) => {
        const entries = compareDigests(digests(l), digests(r))
        const names = entries.map((entry) => entry.name)
        expect(new Set(names).size).toBe(names.length)
        expect(new Set(names)).toEqual(new Set([...Object.keys(l), ...Object.keys(r)]))
        const same = Object.keys(l).length === Object.keys(r).length && Object.entries(l).every(([k, v]) => r[k] === v)
        expect(scopesEqual(entries)).toBe(same)
      }),
    )
  })

  it('is symmetric: swapping the sides swaps only-left and only-right', () => {
    fc.assert(
      fc.property(side, side, (l, r) => {
        const swap = {'only-left': 'only-right', 'only-right': 'only-left', equal: 'equal', different: 'different'} as const
        const forward = compareDigests(digests(l), digests(r)).map((entry) => ({...entry, state: swap[entry.state]}))
        expect(compareDigests(digests(r), digests(l))).toEqual(forward)
        const counts = countDiff(forward)
        expect(counts.equal + counts.different + counts['only-left'] + counts['only-right']).toBe(forward.length)
      }),
    )
  })
})

describe('planPromotion', () => {
  const source = digests({A: 'a', B: 'b', C: 'c'})
  const target = new Map([
    ['B', {digest: 'b', versionId: 'v1'}],
    ['C', {digest: 'other', versionId: 'v2'}],
    ['Z', {digest: 'z'}],
  ])

  it('plans create, unchanged and update, and leaves target-only secrets alone', () => {
    expect(planPromotion(source, target)).toEqual([
      {name: 'A', state: 'create'},
      {name: 'B', state: 'unchanged'},
      {name: 'C', state: 'update'},
    ])
  })

  it('plans only the selected names, once each, and marks a name missing from the source', () => {
    expect(planPromotion(source, target, ['C', 'NOPE', 'C'])).toEqual([
      {name: 'C', state: 'update'},
      {name: 'NOPE', state: 'missing-source'},
    ])
  })

  it('plans every source secret when the selection is empty', () => {
    expect(countPlan(planPromotion(source, target, []))).toEqual({create: 1, update: 1, unchanged: 1, 'missing-source': 0, conflict: 0})
  })

  it('never plans a write for a name whose target already holds the same digest', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[A-Z]{1,4}$/), fc.constantFrom('x', 'y')), fc.dictionary(fc.stringMatching(/^[A-Z]{1,4}$/), fc.constantFrom('x', 'y')), (s, t) => {
        const plan = planPromotion(digests(s), new Map(Object.entries(t).map(([k, digest]) => [k, {digest}])))
        for (const item of plan) {
          if (t[item.name] === s[item.name]) expect(item.state).toBe('unchanged')
          if (t[item.name] === undefined) expect(item.state).toBe('create')
        }
      }),
    )
  })
})
