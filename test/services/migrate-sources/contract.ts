import {describe, expect, it} from 'vitest'

import {Scope} from '../../../src/core/address.js'
import {ExitCode, SecretsError} from '../../../src/core/errors.js'
import {migrate, type MigrateOptions, type MigrationSource} from '../../../src/services/migrate.js'
import {cleanTagValue} from '../../../src/services/migrate/tags.js'
import type {SecretStore} from '../../../src/stores/secret-store.js'

/** A source holding one secret item, as a contract run needs it. */
export interface SourceFixture {
  /** A source holding the item (and whatever else the fixture put there). */
  source: MigrationSource
  /** The item as the plan names it (an SSM parameter's full name, a key, CONTAINER/VARIABLE). */
  item: string
  /** Its value. */
  value: string
  /** Where its secret goes. */
  to: Scope
  /** The item's names still in the source, read again (for a source with a removal). */
  remaining?: () => Promise<string[]>
}

/**
 * The behaviour every migration source must have, whatever it reads: the plan names its items, a run
 * writes each to the secret its mapping names with its value, verified and tagged with where it came
 * from, a re-run changes nothing, an --only name that is nowhere fails before any write, and a removal
 * (if the source has one) takes out only what verified. Run against each source in
 * sources-memory.test.ts (fakes, and a test-only source) and sources-emulator.test.ts.
 */
export function migrationSourceContract(label: string, makeFixture: (env: string) => Promise<SourceFixture>, makeStore: () => Promise<SecretStore>): void {
  describe(`MigrationSource contract: ${label}`, () => {
    let counter = 0
    const env = () => `src${Date.now().toString(36)}${(counter++).toString(36)}`
    const options = (fixture: SourceFixture, extra: Partial<MigrateOptions> = {}): MigrateOptions => ({
      source: fixture.source,
      to: fixture.to,
      dryRun: false,
      onConflict: 'fail',
      deleteSource: false,
      concurrency: 2,
      ...extra,
    })
    const targetOf = (fixture: SourceFixture) => {
      const mapping = fixture.source.targetMapping({to: fixture.to, dryRun: false, onConflict: 'fail', deleteSource: false, concurrency: 1})({name: fixture.item, digest: '', byteLength: 0})
      if (mapping.state !== 'mapped') throw new Error(`${fixture.item} does not map: ${mapping.reason}`)
      return mapping.target
    }

    it('plans its items on a dry run, names itself in the report, and writes nothing', async () => {
      const store = await makeStore()
      const fixture = await makeFixture(env())
      const report = await migrate(store, options(fixture, {dryRun: true}))
      expect(report.exitCode).toBe(ExitCode.ok)
      expect(report.source).toEqual({kind: fixture.source.kind, name: fixture.source.name})
      expect(report.items.find((item) => item.source === fixture.item)).toMatchObject({plan: 'create', outcome: 'planned', target: targetOf(fixture)})
      expect(await store.getMany([targetOf(fixture)])).toMatchObject({values: new Map()})
    })

    it('writes each item to the secret its mapping names, verified and tagged with its source', async () => {
      const store = await makeStore()
      const fixture = await makeFixture(env())
      const report = await migrate(store, options(fixture))
      expect(report.exitCode).toBe(ExitCode.ok)
      expect(report.items.find((item) => item.source === fixture.item)).toMatchObject({outcome: 'created', verified: true})
      const target = targetOf(fixture)
      expect((await store.get(target)).text).toBe(fixture.value)
      const listed = []
      for await (const secret of store.list(target)) if (secret.name === target) listed.push(secret)
      expect(listed[0]?.tags).toMatchObject({'secrets:migrated-from': fixture.source.kind, 'secrets:source-name': cleanTagValue(fixture.source.tagName(fixture.item))})
    })

    it('finds every item unchanged when run again', async () => {
      const store = await makeStore()
      const fixture = await makeFixture(env())
      await migrate(store, options(fixture))
      const again = await migrate(store, options(fixture))
      expect(again.exitCode).toBe(ExitCode.ok)
      expect(again.totals.unchanged).toBe(again.totals.items - again.totals.left)
      expect(again.totals.created + again.totals.updated).toBe(0)
    })

    it('fails with exit 3 before any write when an --only name is nowhere in it', async () => {
      const store = await makeStore()
      const fixture = await makeFixture(env())
      const error = await migrate(store, options(fixture, {select: {only: [fixture.item, 'NO_SUCH_ITEM']}})).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(SecretsError)
      expect((error as SecretsError).exitCode).toBe(ExitCode.notFound)
      expect((error as SecretsError).message).toContain(`no such ${fixture.source.unmatched.what} ${fixture.source.name}`)
      expect(await store.getMany([targetOf(fixture)])).toMatchObject({values: new Map()})
    })

    it('takes out of the source only what verified, when it has a removal, counting it in its own words', async () => {
      const store = await makeStore()
      const fixture = await makeFixture(env())
      const report = await migrate(store, options(fixture, {deleteSource: true}))
      expect(report.exitCode).toBe(ExitCode.ok)
      const line = report.items.find((item) => item.source === fixture.item)
      if (fixture.source.removal === undefined) {
        expect(report.sourcesToDelete).toEqual([])
        expect(line?.sourceDeleted).toBeUndefined()
        return
      }

      expect(report.sourcesToDelete).toContain(fixture.item)
      expect(line).toMatchObject({verified: true, sourceDeleted: true})
      expect(await fixture.remaining?.()).not.toContain(fixture.item)
      const {noun, deleted} = fixture.source.words
      expect(report.summary).toMatch(new RegExp(`\\d+ ${noun}s? ${deleted}`))
    })
  })
}
