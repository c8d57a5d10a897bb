import {describe, expect, it} from 'vitest'

import {ExitCode} from '../../src/core/errors.js'
import {SecretValue} from '../../src/core/secret-value.js'
import {writeField} from '../../src/services/fields.js'
import {MemoryStore} from '../../src/stores/memory-store.js'
import {exitCodeOf} from '../helpers/errors.js'

const NAME = '/prod/api/DB'
const fast = {maxAttempts: 5, baseMs: 1, capMs: 2}

/** A store where another writer changes the secret between this writer's read and its swap, `times` times. */
function contended(store: MemoryStore, times: number): MemoryStore {
  let left = times
  const swap = store.swap.bind(store)
  store.swap = async (name, value, expected) => {
    if (left-- > 0) {
      const current = await store.getCurrent(name)
      const other = JSON.parse(current.value.text as string) as Record<string, string>
      other[`other${left}`] = 'x'
      await store.write(name, SecretValue.fromString(JSON.stringify(other)), {overwrite: true, exists: true})
    }

    return swap(name, value, expected)
  }

  return store
}

describe('writeField', () => {
  it('re-reads and re-applies its field when another writer won, keeping the other writer\'s field', async () => {
    const store = new MemoryStore()
    await store.put(NAME, SecretValue.fromString('{"a":"1"}'), {overwrite: true})
    const result = await writeField(contended(store, 2), NAME, {field: 'b', value: '2'}, fast)
    expect(result).toMatchObject({outcome: 'updated', attempts: 3})
    expect(JSON.parse((await store.get(NAME)).text as string)).toEqual({a: '1', b: '2', other1: 'x', other0: 'x'})
  })

  it('gives up with exit 4 after the bounded attempts, nothing of its own current', async () => {
    const store = new MemoryStore()
    await store.put(NAME, SecretValue.fromString('{"a":"1"}'), {overwrite: true})
    expect(await exitCodeOf(writeField(contended(store, 99), NAME, {field: 'b', value: '2'}, fast))).toBe(ExitCode.conflict)
    expect(JSON.parse((await store.get(NAME)).text as string)).not.toHaveProperty('b')
  })

  it('creates the secret when missing, and applies its field to a secret another writer created first', async () => {
    const store = new MemoryStore()
    expect((await writeField(store, NAME, {field: 'a', value: '1'}, fast)).outcome).toBe('created')
    const racing = new MemoryStore()
    const getCurrent = racing.getCurrent.bind(racing)
    let first = true
    racing.getCurrent = async (name) => {
      if (first) {
        first = false
        await racing.write(name, SecretValue.fromString('{"z":"0"}'), {overwrite: false, exists: false})
        throw Object.assign(new Error('not found'), {exitCode: ExitCode.notFound})
      }

      return getCurrent(name)
    }

    expect(await writeField(racing, NAME, {field: 'a', value: '1'}, fast)).toMatchObject({outcome: 'updated', attempts: 2})
    expect((await racing.get(NAME)).text).toBe('{"z":"0","a":"1"}')
  })

  it('answers removing a field of a missing secret with exit 3', async () => {
    expect(await exitCodeOf(writeField(new MemoryStore(), NAME, {field: 'a', unset: true}, fast))).toBe(ExitCode.notFound)
  })
})
