import {randomBytes} from 'node:crypto'

import {describe, expect, it} from 'vitest'

import {ExitCode} from '../../src/core/errors.js'
import {SecretValue} from '../../src/core/secret-value.js'
import {PENDING_STAGE, type SecretStore} from '../../src/stores/secret-store.js'
import {exitCodeOf} from '../helpers/errors.js'

const value = (text: string) => SecretValue.fromString(text)

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

/**
 * The behaviour every SecretStore must have. Run against the memory store and against Secrets
 * Manager on the emulator, so the memory store stays a faithful stand-in.
 */
export function secretStoreContract(label: string, makeStore: () => Promise<SecretStore>): void {
  describe(`SecretStore contract: ${label}`, () => {
    const env = () => `c${randomBytes(4).toString('hex')}`

    it('creates, then leaves an identical value unchanged, then adds a version', async () => {
      const store = await makeStore()
      const name = `/${env()}/api/DB_PASS`
      expect((await store.put(name, value('one'), {overwrite: true})).outcome).toBe('created')
      expect((await store.put(name, value('one'), {overwrite: true})).outcome).toBe('unchanged')
      expect((await store.put(name, value('two'), {overwrite: true})).outcome).toBe('updated')
      expect((await store.get(name)).text).toBe('two')
      expect((await store.get(name, {versionStage: 'AWSPREVIOUS'})).text).toBe('one')
      const history = await store.history(name)
      expect(history).toHaveLength(2)
      expect(history[0].stages).toContain('AWSCURRENT')
      expect(history[1].stages).toContain('AWSPREVIOUS')
      expect((await store.get(name, {versionId: history[1].versionId})).text).toBe('one')
    })

    it('refuses to overwrite when asked not to, with exit 4 and nothing written', async () => {
      const store = await makeStore()
      const name = `/${env()}/api/KEY`
      await store.put(name, value('first'), {overwrite: false})
      expect(await exitCodeOf(store.put(name, value('second'), {overwrite: false}))).toBe(ExitCode.conflict)
      expect((await store.get(name)).text).toBe('first')
    })

    it('keeps every byte: unicode, newlines, spaces, NUL and invalid UTF-8', async () => {
      const store = await makeStore()
      const base = `/${env()}/api`
      const samples: [string, Uint8Array][] = [
        ['UNICODE', new TextEncoder().encode('  pässwörd ✓ 🔑\n=#line2\r\n ')],
        ['NUL', Uint8Array.from([0x61, 0x00, 0x62])],
        ['BINARY', Uint8Array.from([0xff, 0xfe, 0x80, 0x00, 0x0a])],
      ]
      for (const [name, bytes] of samples) {
        await store.put(`${base}/${name}`, SecretValue.fromBytes(bytes), {overwrite: true})
        expect(Buffer.from((await store.get(`${base}/${name}`)).bytes)).toEqual(Buffer.from(bytes))
      }
    })

    it('answers a missing secret with exit 3', async () => {
      const store = await makeStore()
      expect(await exitCodeOf(store.get(`/${env()}/api/NOPE`))).toBe(ExitCode.notFound)
      expect(await exitCodeOf(store.history(`/${env()}/api/NOPE`))).toBe(ExitCode.notFound)
      expect(await exitCodeOf(store.delete(`/${env()}/api/NOPE`, {recoveryDays: 7}))).toBe(ExitCode.notFound)
    })

    it('lists exactly the prefix, never a sibling sharing its start or another case', async () => {
      const store = await makeStore()
      const e = env()
      for (const name of [`/${e}/api/A`, `/${e}/api/B`, `/${e}/api2/A`, `/${e}/API/A`, `/${e}x/api/A`]) {
        await store.put(name, value('v'), {overwrite: true})
      }

      const names = (await collect(store.list(`/${e}/api/`))).map((secret) => secret.name).sort()
      expect(names).toEqual([`/${e}/api/A`, `/${e}/api/B`])
      const envNames = (await collect(store.list(`/${e}/`))).map((secret) => secret.name).sort()
      expect(envNames).toEqual([`/${e}/API/A`, `/${e}/api/A`, `/${e}/api/B`, `/${e}/api2/A`])
    })

    it('reads many values at once and reports the missing ones', async () => {
      const store = await makeStore()
      const e = env()
      const names = Array.from({length: 45}, (_, i) => `/${e}/svc/N${i}`)
      for (const name of names) await store.put(name, value(`v-${name}`), {overwrite: true})
      const result = await store.getMany([...names, `/${e}/svc/MISSING`])
      expect(result.values.size).toBe(45)
      for (const name of names) expect(result.values.get(name)?.text).toBe(`v-${name}`)
      expect(result.missing).toEqual([`/${e}/svc/MISSING`])
    })

    it('reads many at once the value a swap made current, as one read does', async () => {
      const store = await makeStore()
      const name = `/${env()}/api/KV`
      await store.put(name, value('{"a":"1"}'), {overwrite: true})
      const read = await store.getCurrent(name)
      expect((await store.swap(name, value('{"a":"2"}'), read.versionId)).swapped).toBe(true)
      const current = await store.getCurrent(name)
      const result = await store.getMany([name])
      expect(result.values.get(name)?.text).toBe('{"a":"2"}')
      expect(result.versionIds?.get(name)).toBe(current.versionId)
    })

    it('schedules deletion, hides the secret from reads and listings, and restores it', async () => {
      const store = await makeStore()
      const e = env()
      const name = `/${e}/api/OLD`
      await store.put(name, value('old'), {overwrite: true})
      const {deletionDate} = await store.delete(name, {recoveryDays: 7})
      expect(deletionDate).toBeInstanceOf(Date)
      expect(await exitCodeOf(store.get(name))).toBe(ExitCode.conflict)
      expect(await exitCodeOf(store.put(name, value('new'), {overwrite: true}))).toBe(ExitCode.conflict)
      expect((await collect(store.list(`/${e}/api/`))).map((s) => s.name)).toEqual([])
      const withDeleted = await collect(store.list(`/${e}/api/`, {includeDeleted: true}))
      expect(withDeleted.map((s) => s.name)).toEqual([name])
      expect(withDeleted[0].deletedDate).toBeInstanceOf(Date)
      await store.restore(name)
      expect((await store.get(name)).text).toBe('old')
    })

    it('deletes at once with force', async () => {
      const store = await makeStore()
      const name = `/${env()}/api/GONE`
      await store.put(name, value('x'), {overwrite: true})
      await store.delete(name, {force: true})
      expect(await exitCodeOf(store.get(name))).toBe(ExitCode.notFound)
    })

    it('does not add a version when a write is retried with the same token', async () => {
      const store = await makeStore()
      const name = `/${env()}/api/TOKEN`
      const token = 'a'.repeat(8) + randomBytes(16).toString('hex')
      await store.write(name, value('one'), {overwrite: true, exists: false})
      await store.write(name, value('two'), {overwrite: true, exists: true, clientRequestToken: token})
      await store.write(name, value('two'), {overwrite: true, exists: true, clientRequestToken: token})
      expect(await store.history(name)).toHaveLength(2)
      expect((await store.get(name)).text).toBe('two')
    })

    it('applies description and tags given with an identical value, adding no version', async () => {
      const store = await makeStore()
      const name = `/${env()}/api/SAMEMETA`
      await store.put(name, value('same'), {overwrite: true})
      const result = await store.put(name, value('same'), {overwrite: true, description: 'now described', tags: {owner: 'payments'}})
      expect(result).toEqual({outcome: 'unchanged', metadataApplied: ['description', 'tags']})
      const metadata = await store.describe(name)
      expect(metadata.description).toBe('now described')
      expect(metadata.tags).toMatchObject({owner: 'payments'})
      expect(await store.history(name)).toHaveLength(1)
      expect(await store.put(name, value('same'), {overwrite: true})).toEqual({outcome: 'unchanged'})
    })

    it('stores description and tags on create and shows them in metadata', async () => {
      const store = await makeStore()
      const name = `/${env()}/api/META`
      await store.put(name, value('x'), {overwrite: true, description: 'the db', tags: {owner: 'payments'}})
      const metadata = await store.describe(name)
      expect(metadata.description).toBe('the db')
      expect(metadata.tags).toMatchObject({owner: 'payments'})
    })
    it('reads the current value with its version id', async () => {
      const store = await makeStore()
      const name = `/${env()}/api/CURRENT`
      const {versionId} = await store.put(name, value('v1'), {overwrite: true})
      const current = await store.getCurrent(name)
      expect(current.value.text).toBe('v1')
      expect(current.versionId).toBe(versionId)
      expect(await exitCodeOf(store.getCurrent(`/${env()}/api/NOPE`))).toBe(ExitCode.notFound)
    })

    it('swaps when AWSCURRENT is still on the version read, keeping the old one as AWSPREVIOUS, and leaves no pending label', async () => {
      const store = await makeStore()
      const name = `/${env()}/api/SWAP`
      await store.put(name, value('{"a":"1"}'), {overwrite: true})
      const read = await store.getCurrent(name)
      const result = await store.swap(name, value('{"a":"2"}'), read.versionId)
      expect(result.swapped).toBe(true)
      const current = await store.getCurrent(name)
      expect(current.value.text).toBe('{"a":"2"}')
      expect(result.swapped && result.versionId).toBe(current.versionId)
      expect((await store.get(name, {versionStage: 'AWSPREVIOUS'})).text).toBe('{"a":"1"}')
      for (const version of await store.history(name)) expect(version.stages).not.toContain(PENDING_STAGE)
    })

    it('refuses a swap from a version that is no longer current: nothing becomes current and no pending label is left', async () => {
      const store = await makeStore()
      const name = `/${env()}/api/STALE`
      await store.put(name, value('{"a":"1"}'), {overwrite: true})
      const stale = await store.getCurrent(name)
      expect((await store.swap(name, value('{"a":"2"}'), stale.versionId)).swapped).toBe(true)
      expect(await store.swap(name, value('{"a":"lost"}'), stale.versionId)).toEqual({swapped: false})
      expect((await store.get(name)).text).toBe('{"a":"2"}')
      const history = await store.history(name)
      for (const version of history) expect(version.stages).not.toContain(PENDING_STAGE)
      expect(history.map((version) => version.stages.filter((stage) => stage.startsWith('AWS')))).toEqual([['AWSCURRENT'], ['AWSPREVIOUS']])
    })

    it('moves AWSCURRENT back onto the AWSPREVIOUS version from the version read, writing no version, and the one it leaves becomes AWSPREVIOUS', async () => {
      const store = await makeStore()
      const name = `/${env()}/api/ROLLBACK`
      const first = await store.put(name, value('v1'), {overwrite: true})
      await store.put(name, value('v2'), {overwrite: true})
      const read = await store.getCurrent(name)
      expect(await store.moveCurrent(name, first.versionId as string, read.versionId)).toEqual({moved: true})
      expect((await store.get(name, {versionStage: 'AWSCURRENT'})).text).toBe('v1')
      expect((await store.get(name, {versionStage: 'AWSPREVIOUS'})).text).toBe('v2')
      const history = await store.history(name)
      expect(history.map((version) => [version.versionId, version.stages.filter((stage) => stage.startsWith('AWS'))])).toEqual([
        [first.versionId, ['AWSCURRENT']],
        [read.versionId, ['AWSPREVIOUS']],
      ])
    })

    it('moves nothing from a version that is no longer current', async () => {
      const store = await makeStore()
      const name = `/${env()}/api/ROLLBACK_RACE`
      const first = await store.put(name, value('v1'), {overwrite: true})
      await store.put(name, value('v2'), {overwrite: true})
      const read = await store.getCurrent(name)
      expect((await store.swap(name, value('v3'), read.versionId)).swapped).toBe(true)
      expect(await store.moveCurrent(name, first.versionId as string, read.versionId)).toEqual({moved: false})
      expect((await store.get(name, {versionStage: 'AWSCURRENT'})).text).toBe('v3')
    })

    it('generates a password of the length asked, without the characters excluded', async () => {
      const store = await makeStore()
      const plain = (await store.generatePassword({length: 64, excludePunctuation: true, excludeCharacters: 'aeiou'})).text as string
      expect(plain).toHaveLength(64)
      expect(plain).toMatch(/^[A-Za-z0-9]+$/)
      expect(plain).not.toMatch(/[aeiou]/)
      const full = (await store.generatePassword({length: 200})).text as string
      expect(full).toHaveLength(200)
      expect(full).toMatch(/[^A-Za-z0-9]/)
    })
  })
}
