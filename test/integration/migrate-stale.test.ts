/**
 * Issue 23.1: `--delete-source` must not trust a check made earlier in the run. A source may be
 * deleted only if, at that moment, it still holds the value that was migrated and its secret holds
 * that value too. The changes happen at exact points of the run: the loopback proxy freezes the run
 * once the Nth call of a kind has been answered (every later request is held), the test changes the
 * account, then releases the run. No sleeps.
 */
import {DeleteSecretCommand} from '@aws-sdk/client-secrets-manager'
import {GetParameterCommand, PutParameterCommand} from '@aws-sdk/client-ssm'
import {afterEach, describe, expect, it} from 'vitest'
import {inject} from 'vitest'

import {secretsManagerClient} from '../../src/aws/clients.js'
import {expectNoValues, parameterNames, secretValues, seed, ssm} from '../fixtures/migrate-helpers.js'
import {type AwsProxy, startAwsProxy} from '../helpers/aws-proxy.js'
import {runCli, uniqueEnv} from '../helpers/cli.js'

const E = uniqueEnv('mstale')

type Report = {
  items: {source: string; outcome: string; sourceDeleted?: boolean; sourceKept?: string}[]
  totals: Record<string, number>
  exitCode: number
  hint?: string
}

let proxy: AwsProxy | undefined
afterEach(async () => {
  await proxy?.close()
  proxy = undefined
})

/** Runs the CLI through the proxy; once `reached`, the run is frozen while `act` changes the account. */
async function runFrozenAt(args: string[], reached: (answered: (operation: string) => number) => boolean, act: () => Promise<void>) {
  proxy = await startAwsProxy(inject('emulatorEndpoint'))
  const frozen = proxy.freezeWhen(reached).then(async () => {
    await act()
    proxy?.release()
  })
  const result = await runCli(args, {env: {AWS_ENDPOINT_URL: proxy.endpoint}})
  await frozen
  return result
}

describe('migrate --delete-source re-checks each source and its target just before deleting it', () => {
  it('keeps a parameter overwritten while the run writes, and deletes the rest', async () => {
    const parameters = Array.from({length: 25}, (_, i) => ({
      name: `/${E}/busy/P${String(i).padStart(2, '0')}`,
      value: `value read at plan ${i}`,
      type: 'SecureString' as const,
    }))
    await seed(parameters)
    const last = parameters.at(-1)!.name
    const client = await ssm()
    // Once the first secret is created, someone updates the last parameter (not yet written).
    const result = await runFrozenAt(
      ['migrate', '--from-ssm', `/${E}/busy`, '--delete-source', '--concurrency', '1', '--json'],
      (answered) => answered('CreateSecret') >= 1,
      async () => {
        await client.send(new PutParameterCommand({Name: last, Value: 'value written during the run', Type: 'SecureString', Overwrite: true}))
      },
    )
    const report = JSON.parse(result.stdout) as Report
    expect(result.code).toBe(4)
    expect(report.totals.sourcesDeleted).toBe(24)
    expect(report.items.find((item) => item.source === last)).toMatchObject({outcome: 'created', sourceDeleted: false})
    expect(report.items.find((item) => item.source === last)?.sourceKept).toContain('changed after it was read')
    // The new value exists somewhere: in the parameter that was kept.
    expect(await parameterNames(`/${E}/busy`)).toEqual([last])
    const kept = await client.send(new GetParameterCommand({Name: last, WithDecryption: true}))
    expect(kept.Parameter?.Value).toBe('value written during the run')
    expect(report.hint).toContain('run the same command again')
    expect(report.hint).toContain('--on-conflict overwrite')
    expectNoValues([result.stdout, result.stderr], ['value written during the run', 'value read at plan'])
  })

  it('keeps an unchanged item whose secret was force-deleted during the run', async () => {
    const name = `/${E}/gone/API_TOKEN`
    await seed([{name, value: 'token migrated earlier', type: 'SecureString'}])
    expect((await runCli(['migrate', '--from-ssm', `/${E}/gone`])).code).toBe(0)
    const secrets = await secretsManagerClient({})
    // The plan's read found the secret equal (`unchanged`); right after, someone force-deletes it.
    const result = await runFrozenAt(
      ['migrate', '--from-ssm', `/${E}/gone`, '--delete-source', '--json'],
      (answered) => answered('BatchGetSecretValue') >= 1,
      async () => {
        await secrets.send(new DeleteSecretCommand({SecretId: name, ForceDeleteWithoutRecovery: true}))
      },
    )
    const report = JSON.parse(result.stdout) as Report
    expect(result.code).toBe(4)
    expect(report.items).toMatchObject([{source: name, outcome: 'unchanged', sourceDeleted: false}])
    expect(report.items[0].sourceKept).toContain('no longer holds')
    expect(await parameterNames(`/${E}/gone`)).toEqual([name])
    expect((await secretValues([name])).size).toBe(0)
  })
})
