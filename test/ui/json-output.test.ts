import {describe, expect, it} from 'vitest'

import {prettyJsonPieces} from '../../src/ui/json-output.js'

const whole = (value: unknown) => [...prettyJsonPieces(value)].join('')

describe('--json written in pieces', () => {
  it.each([
    ['a report with items, nested objects and empty members', {source: {kind: 'ssm', name: '/a'}, items: [{source: '/a/B', outcome: 'created', verified: true}, {source: '/a/C\nD', reason: 'line\nbreak "quoted"', nested: {list: [1, [2, []], {}]}}], totals: {items: 2}, none: [], empty: {}, exitCode: 0}],
    ['members JSON leaves out or turns into null', {gone: undefined, fn: () => 1, kept: null, list: [undefined, () => 1, Symbol('s'), Number.NaN, 'x']}],
    ['a member with toJSON, and a date', {at: new Date(0), custom: {toJSON: () => ({shown: 'instead'})}, items: [new Date(1000)]}],
    ['unicode and escapes', {'ключ "k"': 'ü\u2028\u0000', items: ['é', '\t']}],
    ['an error document', {error: {code: 'USAGE', message: 'm', exitCode: 2, hint: undefined}}],
    ['an empty object', {}],
    ['a top-level array', [{a: 1}, [2]]],
    ['a string', 'text'],
    ['null', null],
  ])('gives exactly JSON.stringify(value, null, 2) for %s', (_label, value) => {
    expect(whole(value)).toBe(JSON.stringify(value, null, 2))
  })

  it('writes a long array one element a piece, never as one string', () => {
    const items = Array.from({length: 1000}, (_, i) => ({source: `/s/P${i}`, outcome: 'created'}))
    const pieces = [...prettyJsonPieces({items})]
    expect(pieces.length).toBeGreaterThan(1000)
    expect(Math.max(...pieces.map((piece) => piece.length))).toBeLessThan(100)
    expect(JSON.parse(pieces.join(''))).toEqual({items})
  })
})
