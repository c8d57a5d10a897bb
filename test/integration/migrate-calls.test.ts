import {CreateSecretCommand} from '@aws-sdk/client-secrets-manager'
import {beforeAll, describe, expect, it, vi} from 'vitest'

import {apiCalls, observeClients, secretsManagerClient, ssmClient} from '../../src/aws/clients.js'
import {migrate, type MigrateOptions} from '../../src/services/migrate.js'
import {SecretsManagerStore} from '../../src/stores/secrets-manager-store.js'
import {SsmSource} from '../../src/stores/ssm-source.js'
import {secretValues, seed} from '../fixtures/migrate-helpers.js'
import {uniqueEnv} from '../helpers/cli.js'

const E = uniqueEnv('mcall')

/** Every HTTP request the SDK sends (retries included), by command name. */
const calls = new Map<string, number>()
const total = () => [...calls.values()].reduce((sum, count) => sum + count, 0)

beforeAll(() => {
  observeClients((client) => {
    ;(client.middlewareStack.add as (...args: unknown[]) => void)(
      (next: (args: unknown) => Promise<unknown>, context: {commandName?: string}) => async (args: unknown) => {
        calls.set(context.commandName ?? '?', (calls.get(context.commandName ?? '?') ?? 0) + 1)
        return next(args)
      },
      // Inside the retry middleware, so each attempt counts.
      {step: 'deserialize', name: 'migrateCallCounter'},
    )
  })
})

async function run(path: string, extra: Partial<MigrateOptions> = {}) {
  const [ssm, secrets] = await Promise.all([ssmClient({}), secretsManagerClient({})])
  calls.clear()
  const started = performance.now()
  const report = await migrate(new SecretsManagerStore(secrets), {
    source: {kind: 'ssm', path, parameters: new SsmSource(ssm)},
    dryRun: false,
    onConflict: 'fail',
    deleteSource: false,
    concurrency: 8,
    ...extra,
  })
  return {report, calls: total(), byCommand: Object.fromEntries(calls), seconds: (performance.now() - started) / 1000}
}

const parameters = (service: string, count: number) =>
  Array.from({length: count}, (_, i) => ({
    name: `/${E}/${service}/K${String(i).padStart(4, '0')}`,
    value: `value ${i}\n${'x'.repeat(i % 50)}`,
    type: (['String', 'SecureString', 'StringList'] as const)[i % 3],
  }))

describe('API calls per migrated item', () => {
  it('stays within 1.2 calls per new item and 0.2 per unchanged item on a re-run', async () => {
    await seed(parameters('budget', 100))
    const first = await run(`/${E}/budget`)
    expect(first.report.exitCode).toBe(0)
    expect(first.report.totals.created).toBe(100)
    console.info(`new: ${first.calls} calls for 100 items`, first.byCommand)
    expect(first.calls / 100).toBeLessThanOrEqual(1.2)
    expect(first.byCommand.CreateSecretCommand).toBe(100)

    const again = await run(`/${E}/budget`)
    expect(again.report.totals.unchanged).toBe(100)
    console.info(`unchanged: ${again.calls} calls for 100 items`, again.byCommand)
    expect(again.calls / 100).toBeLessThanOrEqual(0.2)
    expect(again.byCommand.CreateSecretCommand ?? 0).toBe(0)
    expect(again.byCommand.PutSecretValueCommand ?? 0).toBe(0)
  })

  it('keeps memory flat: with no room for values it reads them again in pages of 10 and still writes every byte', async () => {
    const seeded = parameters('flat', 35)
    await seed(seeded)
    const result = await run(`/${E}/flat`, {valueCacheBytes: 0})
    expect(result.report.totals.created).toBe(35)
    expect(result.byCommand.GetParametersCommand).toBe(4)
    const values = await secretValues(seeded.map((parameter) => parameter.name))
    for (const parameter of seeded) expect(values.get(parameter.name)).toBe(parameter.value)
  })

  it('resolves the middleware of each command once per client, and every call still passes through all of it', async () => {
    await seed(parameters('cached', 30))
    // Each resolution builds the whole handler chain (about 40 KB of objects); once per client is enough.
    const resolved = vi.spyOn(CreateSecretCommand.prototype, 'resolveMiddleware')
    const countedBefore = apiCalls.calls['secretsmanager:CreateSecret'] ?? 0
    try {
      const result = await run(`/${E}/cached`)
      expect(result.report.totals.created).toBe(30)
      expect(resolved).toHaveBeenCalledTimes(1)
      // The middleware the clients module adds (call counts, pacing) and this file's counter ran on every call.
      expect(result.byCommand.CreateSecretCommand).toBe(30)
      expect(apiCalls.calls['secretsmanager:CreateSecret'] - countedBefore).toBe(30)
    } finally {
      resolved.mockRestore()
    }
  })

  it.runIf(process.env.MIGRATE_SCALE === '1')(
    'migrates 1,000 parameters without a failure (MIGRATE_SCALE=1)',
    async () => {
      await seed(parameters('scale', 1000))
      const first = await run(`/${E}/scale`)
      console.info(`1000 new: ${first.calls} calls, ${first.seconds.toFixed(1)} s`, first.byCommand)
      expect(first.report.exitCode).toBe(0)
      expect(first.report.totals.created).toBe(1000)
      expect(first.calls / 1000).toBeLessThanOrEqual(1.2)
      const again = await run(`/${E}/scale`)
      console.info(`1000 unchanged: ${again.calls} calls, ${again.seconds.toFixed(1)} s`, again.byCommand)
      expect(again.report.totals.unchanged).toBe(1000)
      expect(again.calls / 1000).toBeLessThanOrEqual(0.2)
    },
    300_000,
  )
})
