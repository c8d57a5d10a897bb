/**
 * A rollback never loses a racing write: a field write that lands between the rollback's read and its
 * stage move stays current, and the rollback ends with exit 4 having moved nothing.
 */
import {describe, expect, it} from 'vitest'

import {SecretAddress} from '../../src/core/address.js'
import {ExitCode} from '../../src/core/errors.js'
import {SecretValue} from '../../src/core/secret-value.js'
import {planRollback, rollback} from '../../src/services/rollback.js'
import {MemoryStore} from '../../src/stores/memory-store.js'

const address = SecretAddress.of('prod', 'api', 'DB')
const value = (text: string) => SecretValue.fromString(text)

async function seeded(): Promise<MemoryStore> {
  const store = new MemoryStore()
  await store.put(address.fullName, value('{"password":"one"}'), {overwrite: true})
  await store.put(address.fullName, value('{"password":"two"}'), {overwrite: true})
  return store
}

describe('rollback', () => {
  it('keeps a field write that lands after the plan was read, and moves nothing (exit 4)', async () => {
    const store = await seeded()
    const plan = await planRollback(store, address)
    // The racing writer: a field write's compare-and-swap from the version it read.
    const read = await store.getCurrent(address.fullName)
    expect((await store.swap(address.fullName, value('{"password":"three"}'), read.versionId)).swapped).toBe(true)
    await expect(rollback(store, plan)).rejects.toMatchObject({exitCode: ExitCode.conflict})
    expect((await store.get(address.fullName)).text).toBe('{"password":"three"}')
  })

  it('goes back to AWSPREVIOUS with one stage move and no new version', async () => {
    const store = await seeded()
    const versions = (await store.history(address.fullName)).length
    const plan = await planRollback(store, address)
    const result = await rollback(store, plan)
    expect(result.outcome).toBe('rolled-back')
    expect((await store.get(address.fullName)).text).toBe('{"password":"one"}')
    expect(await store.history(address.fullName)).toHaveLength(versions)
    expect(store.calls.moveCurrent).toBe(1)
    expect(store.calls.put).toBe(2)
  })

  it('refuses a secret scheduled for deletion (exit 4) and one with no previous version (exit 3)', async () => {
    const store = await seeded()
    await store.delete(address.fullName, {recoveryDays: 7, force: false})
    await expect(planRollback(store, address)).rejects.toMatchObject({exitCode: ExitCode.conflict})
    const single = new MemoryStore()
    await single.put(address.fullName, value('x'), {overwrite: true})
    await expect(planRollback(single, address)).rejects.toMatchObject({exitCode: ExitCode.notFound})
  })
})
