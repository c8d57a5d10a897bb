import {describe, expect, it} from 'vitest'

import {Scope} from '../../src/core/address.js'
import {SecretValue} from '../../src/core/secret-value.js'
import {migrate, type MigrateOptions} from '../../src/services/migrate.js'
import {MemoryStore} from '../../src/stores/memory-store.js'
import type {SecretMetadata} from '../../src/stores/secret-store.js'
import type {EnvironmentSource, FunctionEnvironment, FunctionEnvironmentEditor} from '../../src/stores/environment-source.js'
import type {ParameterSource, SsmParameter} from '../../src/stores/ssm-source.js'
import {AccessDeniedError} from '../../src/core/errors.js'

/** An in-memory SSM with SSM's page size; counts deletions. */
class FakeSsm implements ParameterSource {
  deleted: string[] = []
  constructor(private readonly parameters: SsmParameter[]) {}
  async *pages(path: string): AsyncIterable<SsmParameter[]> {
    const under = this.parameters.filter((parameter) => parameter.name.startsWith(`${path}/`))
    for (let i = 0; i < under.length; i += 10) yield under.slice(i, i + 10)
    yield [] // AWS may end with an empty page
  }

  async read(names: string[]): Promise<Map<string, SsmParameter>> {
    return new Map(this.parameters.filter((parameter) => names.includes(parameter.name)).map((parameter) => [parameter.name, parameter]))
  }

  async delete(names: string[]): Promise<string[]> {
    this.deleted.push(...names)
    return names
  }
}

/** A store whose listing lags behind its writes, as ListSecrets may on AWS. */
class LaggingStore extends MemoryStore {
  override async *list(): AsyncIterable<SecretMetadata> {}
}

const parameter = (name: string, value: string): SsmParameter => ({name, type: 'SecureString', value: SecretValue.fromString(value)})
const options = (parameters: ParameterSource, extra: Partial<MigrateOptions> = {}): MigrateOptions => ({
  source: {kind: 'ssm', path: '/p', parameters},
  dryRun: false,
  onConflict: 'fail',
  deleteSource: false,
  concurrency: 4,
  ...extra,
})

describe('migrate (service, in memory)', () => {
  it('treats a create that meets an identical secret (a lagging listing) as unchanged, and deletes its source', async () => {
    const store = new LaggingStore()
    const ssm = new FakeSsm([parameter('/p/s/A', 'alpha'), parameter('/p/s/B', 'beta')])
    await store.put('/p/s/A', SecretValue.fromString('alpha'), {overwrite: true})
    const report = await migrate(store, options(ssm, {deleteSource: true}))
    expect(report.items.map((item) => item.outcome)).toEqual(['unchanged', 'created'])
    expect(report.exitCode).toBe(0)
    expect(ssm.deleted.sort()).toEqual(['/p/s/A', '/p/s/B'])
    expect(await store.history('/p/s/A')).toHaveLength(1)
  })

  it('reports a create that meets a different secret as a conflict and keeps its source', async () => {
    const store = new LaggingStore()
    const ssm = new FakeSsm([parameter('/p/s/A', 'alpha')])
    await store.put('/p/s/A', SecretValue.fromString('other'), {overwrite: true})
    const report = await migrate(store, options(ssm, {deleteSource: true}))
    expect(report.items[0]).toMatchObject({outcome: 'conflict'})
    expect(report.exitCode).toBe(4)
    expect(ssm.deleted).toEqual([])
    expect((await store.get('/p/s/A')).text).toBe('other')
  })

  it('stops starting writes when aborted, reports what is left and exits 130', async () => {
    const store = new MemoryStore()
    const ssm = new FakeSsm(Array.from({length: 30}, (_, i) => parameter(`/p/s/K${String(i).padStart(2, '0')}`, `v${i}`)))
    const controller = new AbortController()
    const report = await migrate(store, {
      ...options(ssm, {concurrency: 1, deleteSource: true}),
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.written === 5) controller.abort()
      },
    })
    expect(report.exitCode).toBe(130)
    expect(report.interrupted).toBe(true)
    expect(report.totals.created).toBe(5)
    expect(report.totals['not-run']).toBe(25)
    expect(ssm.deleted).toEqual([])
    expect(report.hint).toContain('Run the same command again')
  })

  it('keeps every source when the deletion is declined, and asks with exactly the sources it would delete', async () => {
    const store = new MemoryStore()
    const ssm = new FakeSsm([parameter('/p/s/A', 'alpha'), parameter('/p/s/B', 'beta')])
    const asked: string[][] = []
    const report = await migrate(store, {
      ...options(ssm, {deleteSource: true}),
      confirmDeletion: async (names) => {
        asked.push([...names])
        return false
      },
    })
    expect(asked).toEqual([['/p/s/A', '/p/s/B']])
    expect(report.exitCode).toBe(0)
    expect(ssm.deleted).toEqual([])
    expect(report.totals).toMatchObject({created: 2, sourcesDeleted: 0, sourcesKept: 2})
    expect(report.hint).toContain('as you answered no')
  })

  it('finds targets scheduled for deletion through the batched read when the targets span many scopes', async () => {
    const store = new MemoryStore()
    // 3 scopes for 3 targets: the plan reads values (20 a call) instead of listing each scope.
    const ssm = new FakeSsm([parameter('/p/a/X', 'x'), parameter('/p/b/Y', 'y'), parameter('/p/c/Z', 'z')])
    await store.put('/p/b/Y', SecretValue.fromString('old'), {overwrite: true})
    await store.delete('/p/b/Y', {recoveryDays: 7})
    const report = await migrate(store, options(ssm, {deleteSource: true, onConflict: 'overwrite'}))
    expect(report.exitCode).toBe(4)
    expect(report.items.map((item) => [item.source, item.plan, item.outcome])).toEqual([
      ['/p/a/X', 'create', 'not-run'],
      ['/p/b/Y', 'conflict', 'conflict'],
      ['/p/c/Z', 'create', 'not-run'],
    ])
    expect(report.hint).toContain('secrets restore /p/b/Y')
    expect(ssm.deleted).toEqual([])
    expect((await store.getMany(['/p/a/X', '/p/c/Z'])).values.size).toBe(0)
  })

  it('keeps the sources it had not deleted yet when interrupted while deleting, and exits 130', async () => {
    const store = new MemoryStore()
    const ssm = new FakeSsm(Array.from({length: 25}, (_, i) => parameter(`/p/s/K${String(i).padStart(2, '0')}`, `v${i}`)))
    const controller = new AbortController()
    const report = await migrate(store, {
      ...options(ssm, {deleteSource: true}),
      signal: controller.signal,
      onProgress: (progress) => {
        // The first batch of 10 is deleted; Ctrl-C comes before the second.
        if (progress.phase === 'deleting' && progress.deleted === 10) controller.abort()
      },
    })
    expect(report.exitCode).toBe(130)
    expect(ssm.deleted).toHaveLength(10)
    expect(report.totals).toMatchObject({created: 25, sourcesDeleted: 10, sourcesKept: 15})
  })

  it('never puts a value in the report', async () => {
    const store = new MemoryStore()
    const report = await migrate(store, options(new FakeSsm([parameter('/p/s/A', 'TOP-SECRET-VALUE')])))
    expect(JSON.stringify(report)).not.toContain('TOP-SECRET-VALUE')
  })
})

/** One Lambda function in memory, with the editor --remove-from-source uses; records every write. */
class FakeFunction implements FunctionEnvironmentEditor {
  writes: Array<Record<string, string>> = []
  /** Runs on each re-read before removal: someone changing the function. */
  onReread?: (variables: Record<string, string>) => void
  constructor(public vars: Record<string, string>) {}

  async current(): Promise<FunctionEnvironment> {
    this.onReread?.(this.vars)
    return {variables: {...this.vars}, revisionId: 'r1'}
  }

  async replace(_fn: string, variables: Record<string, string>): Promise<void> {
    this.writes.push(variables)
    this.vars = variables
  }
}

const lambdaSource = (fake: FakeFunction): EnvironmentSource => ({
  kind: 'lambda',
  name: 'fn',
  editor: fake,
  variables: async () => Object.entries(fake.vars).map(([variable, value]) => ({name: variable, variable, workload: 'fn', value: SecretValue.fromString(value)})),
})

/** A store that refuses to write one secret. */
class RefusingStore extends MemoryStore {
  constructor(private readonly refused: string) {
    super()
  }

  override async write(...args: Parameters<MemoryStore['write']>): ReturnType<MemoryStore['write']> {
    if (args[0] === this.refused) throw new AccessDeniedError(`Access denied: secretsmanager:CreateSecret on ${args[0]}.`)
    return super.write(...args)
  }
}

describe('migrate --remove-from-source (service, in memory)', () => {
  const lambdaOptions = (source: EnvironmentSource): MigrateOptions => ({source: {kind: 'lambda', environment: source}, to: Scope.parse('p/s'), dryRun: false, onConflict: 'fail', deleteSource: true, concurrency: 2})

  it('changes no function when one item did not verify', async () => {
    const fake = new FakeFunction({DB_PASSWORD: 'pw-1', API_TOKEN: 'tok-2', LOG_LEVEL: 'info'})
    const report = await migrate(new RefusingStore('/p/s/API_TOKEN'), lambdaOptions(lambdaSource(fake)))
    expect(report.exitCode).toBe(5)
    expect(fake.writes).toEqual([])
    expect(report.items.find((item) => item.source === 'DB_PASSWORD')?.sourceKept).toBe('kept: not every item of the run verified, so no function was changed')
  })

  it('changes no function when a migrated variable changed before the removal (exit 4)', async () => {
    const fake = new FakeFunction({DB_PASSWORD: 'pw-1', API_TOKEN: 'tok-2', LOG_LEVEL: 'info'})
    fake.onReread = (variables) => {
      variables.API_TOKEN = 'tok-rotated'
    }
    const report = await migrate(new MemoryStore(), lambdaOptions(lambdaSource(fake)))
    expect(report.exitCode).toBe(4)
    expect(fake.writes).toEqual([])
    expect(report.items.find((item) => item.source === 'API_TOKEN')?.sourceKept).toBe('kept: the variable changed after it was read, and its new value is in no secret')
  })

  it('writes back every other variable, exactly', async () => {
    const fake = new FakeFunction({DB_PASSWORD: 'pw-1', LOG_LEVEL: 'info', TABLE: 'orders'})
    const report = await migrate(new MemoryStore(), lambdaOptions(lambdaSource(fake)))
    expect(report.exitCode).toBe(0)
    expect(fake.writes).toEqual([{LOG_LEVEL: 'info', TABLE: 'orders'}])
  })
})
