import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {Scope} from '../../src/core/address.js'
import {lambdaFunctionFix} from '../../src/core/audit/fixes.js'
import {
  classify,
  countStates,
  digestOf,
  mapDotenvKey,
  mapFunctionVariable,
  mapSources,
  mapSsmName,
  type SourceItem,
  targetsToRead,
  writeToken,
} from '../../src/core/migration-plan.js'

const source = (name: string, value = `value of ${name}`, extra: Partial<SourceItem> = {}): SourceItem => {
  const bytes = new TextEncoder().encode(value)
  return {name, digest: digestOf(bytes), byteLength: bytes.byteLength, ...extra}
}

describe('mapSsmName', () => {
  it.each([
    ['/prod/billing/DB_PASS', undefined, {state: 'mapped', target: '/prod/billing/DB_PASS'}],
    ['/prod/billing/db/password', 'prod/billing', {state: 'mapped', target: '/prod/billing/password'}],
    ['/a/b/c/d/e/TOKEN', 'stage/api', {state: 'mapped', target: '/stage/api/TOKEN'}],
    ['/prod/billing/DB_PASS', 'dev/api', {state: 'mapped', target: '/dev/api/DB_PASS'}],
  ])('maps %s (--to %s)', (name, to, expected) => {
    expect(mapSsmName(name, to === undefined ? undefined : Scope.parse(to))).toEqual(expected)
  })

  it.each([
    ['/prod/billing/queue/URL', 'prod/billing', '/prod/billing', '/prod/billing/QUEUE_URL'],
    ['/prod/billing/integrations/avalara/API_KEY', 'prod/billing', '/prod/billing', '/prod/billing/INTEGRATIONS_AVALARA_API_KEY'],
    ['/legacy/app/queue/URL', 'prod/billing', '/legacy/app', '/prod/billing/QUEUE_URL'],
    ['/legacy/app/TOKEN', 'prod/billing', '/legacy/app', '/prod/billing/TOKEN'],
    ['/prod/billing/queue/URL', undefined, '/prod', '/prod/billing/QUEUE_URL'],
    ['/prod/billing/DB_PASS', undefined, '/', '/prod/billing/DB_PASS'],
  ])('with --flatten maps %s (--to %s, path %s) to %s, keeping the deeper segments', (name, to, below, target) => {
    expect(mapSsmName(name, to === undefined ? undefined : Scope.parse(to), {below})).toEqual({state: 'mapped', target})
  })

  it.each([
    ['/prod/billing/db/password', 'has 4 path segments'],
    ['/prod/TOKEN', 'has 2 path segments'],
    ['/TOKEN', 'has 1 path segment,'],
  ])('lists %s as unmapped without --to', (name, reason) => {
    const mapping = mapSsmName(name)
    expect(mapping.state).toBe('unmapped')
    expect(mapping.state === 'unmapped' && mapping.reason).toContain(reason)
    expect(mapping.state === 'unmapped' && mapping.reason).toContain('--to ENV/SERVICE')
    expect(mapping.state === 'unmapped' && mapping.reason).toContain('--flatten')
  })

  it('reports a name that is not a valid address, never renaming it', () => {
    const mapping = mapSsmName('/prod/billing/key-abcdef')
    expect(mapping).toMatchObject({state: 'invalid'})
    expect(mapping.state === 'invalid' && mapping.reason).toMatch(/not a valid secret name: .*key-abcdef/)
    expect(mapSsmName('/prod/billing/key-abcdef', Scope.parse('x/y')).state).toBe('invalid')
  })

  it('refuses a target longer than 256 characters', () => {
    expect(mapSsmName(`/p/s/${'N'.repeat(260)}`).state).toBe('invalid')
  })
})

describe('mapDotenvKey', () => {
  it('maps a key into the scope, and reports an ARN-like key', () => {
    expect(mapDotenvKey('DB_PASS', Scope.parse('prod/api'))).toEqual({state: 'mapped', target: '/prod/api/DB_PASS'})
    expect(mapDotenvKey('dotted.key-name', Scope.parse('prod/api'))).toEqual({state: 'mapped', target: '/prod/api/dotted.key-name'})
    expect(mapDotenvKey('X-abcdef', Scope.parse('prod/api')).state).toBe('invalid')
  })
})

describe('mapSources and classify', () => {
  const to = Scope.parse('prod/billing')

  it('marks every source of a shared target as a collision naming the others', () => {
    const items = mapSources(
      [source('/prod/billing/db/password'), source('/prod/billing/cache/password'), source('/prod/billing/TOKEN')],
      (item) => mapSsmName(item.name, to),
    )
    expect(items.map((item) => [item.source.name, item.state])).toEqual([
      ['/prod/billing/db/password', 'collision'],
      ['/prod/billing/cache/password', 'collision'],
      ['/prod/billing/TOKEN', 'create'],
    ])
    expect(items[0].reason).toBe('/prod/billing/cache/password also maps to /prod/billing/password')
    expect(targetsToRead(items)).toEqual(['/prod/billing/TOKEN'])
  })

  it('names .env sources with their line in a collision', () => {
    const items = mapSources([source('A', 'x', {line: 3}), source('A', 'y', {line: 9})], (item) => mapDotenvKey(item.name, to))
    expect(items[0].reason).toBe('A (line 9) also maps to /prod/billing/A')
  })

  it('refuses empty and oversized values with their size, not their content', () => {
    const items = mapSources(
      [source('/p/s/EMPTY', ''), {name: '/p/s/BIG', digest: 'x', byteLength: 65_537}],
      (item) => mapSsmName(item.name),
    )
    expect(items.map((item) => item.state)).toEqual(['invalid', 'invalid'])
    expect(items[1].reason).toContain('65537 bytes')
  })

  it('classifies create, update and unchanged from the targets read', () => {
    const items = mapSources([source('/p/s/NEW'), source('/p/s/SAME'), source('/p/s/DIFF'), source('/p/x/y/z')], (item) =>
      mapSsmName(item.name),
    )
    const planned = classify(
      items,
      new Map([
        ['/p/s/SAME', {digest: digestOf(new TextEncoder().encode('value of /p/s/SAME')), versionId: 'v1'}],
        ['/p/s/DIFF', {digest: digestOf(new TextEncoder().encode('old')), versionId: 'v2'}],
      ]),
    )
    expect(planned.map((item) => item.state)).toEqual(['create', 'unchanged', 'update', 'unmapped'])
    expect(countStates(planned)).toEqual({create: 1, update: 1, unchanged: 1, collision: 0, unmapped: 1, invalid: 0, conflict: 0, left: 0})
  })

  it('plans a target scheduled for deletion as a conflict that names secrets restore', () => {
    const [item] = classify(mapSources([source('/p/s/GONE')], (entry) => mapSsmName(entry.name)), new Map([['/p/s/GONE', {digest: '', scheduledForDeletion: true}]]))
    expect(item.state).toBe('conflict')
    expect(item.reason).toContain('secrets restore /p/s/GONE')
  })

  it('never maps two items to one written target (property)', () => {
    const segment = fc.constantFrom('a', 'b', 'c', 'DB', 'x-y')
    fc.assert(
      fc.property(fc.uniqueArray(fc.array(segment, {minLength: 1, maxLength: 4}).map((parts) => `/${parts.join('/')}`)), (names) => {
        const items = mapSources(names.map((name) => source(name)), (item) => mapSsmName(item.name, to))
        const written = items.filter((item) => item.state === 'create').map((item) => item.target)
        expect(new Set(written).size).toBe(written.length)
        expect(items).toHaveLength(names.length)
      }),
    )
  })
})

describe('writeToken', () => {
  it('is 64 hex characters, deterministic, and changes with the target and the version replaced', () => {
    const token = writeToken('/p/s/A', undefined)
    expect(token).toMatch(/^[0-9a-f]{64}$/)
    expect(writeToken('/p/s/A', undefined)).toBe(token)
    expect(writeToken('/p/s/B', undefined)).not.toBe(token)
    expect(writeToken('/p/s/A', 'version-1')).not.toBe(token)
    expect(writeToken('/p/s/A', 'version-1')).not.toBe(writeToken('/p/s/A', 'version-2'))
  })
})

describe('--all-functions --to ENV: the service of a function', () => {
  it.each([
    ['prod-billing', '/prod/billing/DB_PASSWORD'],
    ['prod_billing', '/prod/billing/DB_PASSWORD'],
    ['orders-api-prod', '/prod/orders-api/DB_PASSWORD'],
    ['billing', '/prod/billing/DB_PASSWORD'],
  ])('maps %s/DB_PASSWORD to %s, the scope audit\'s fix names', (fn, target) => {
    expect(mapFunctionVariable(`${fn}/DB_PASSWORD`, 'prod')).toEqual({state: 'mapped', target})
    const service = target.split('/')[2]
    expect(lambdaFunctionFix(fn, ['DB_PASSWORD'])).toMatch(new RegExp(`--to (prod|ENV)/${service} `))
  })

  it('leaves a function whose name gives no service unmapped', () => {
    expect(mapFunctionVariable('a b/DB_PASSWORD', 'prod')).toMatchObject({state: 'unmapped'})
    expect(mapFunctionVariable('prod/DB_PASSWORD', 'prod')).toMatchObject({state: 'unmapped'})
  })
})
