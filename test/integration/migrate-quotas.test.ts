/**
 * `migrate` under AWS's request quotas, at a fifth of the real rates (test/helpers/aws-quotas.ts):
 * every item migrated once, no item failed, retries within budget, and a re-run of unchanged items
 * that stays clear of the quotas. Counts, not times: the benchmark measures the rates.
 */
import {afterEach, describe, expect, inject, it} from 'vitest'

import {parameterNames, seed} from '../fixtures/migrate-helpers.js'
import {type QuotaProxy, startQuotaProxy} from '../helpers/aws-quotas.js'
import {runCli, startCli, uniqueEnv} from '../helpers/cli.js'

const E = uniqueEnv('mquota')
/** A fifth of the real quotas: 10 CreateSecret a second, 8 SSM reads a second. */
const SCALE = Number(process.env.QUOTA_TEST_SCALE ?? 0.2)
const COUNT = Number(process.env.QUOTA_TEST_COUNT ?? 200)

let proxy: QuotaProxy | undefined
afterEach(async () => {
  await proxy?.close()
  proxy = undefined
})

const parameters = (service: string, count: number) =>
  Array.from({length: count}, (_, i) => ({
    name: `/${E}/${service}/K${String(i).padStart(4, '0')}`,
    value: `value ${i} ${'x'.repeat(i % 40)}`,
    type: (['String', 'SecureString', 'StringList'] as const)[i % 3],
  }))

interface Run {
  code: number | null
  report: {totals: Record<string, number>; items: {outcome: string}[]}
  calls: number
  attempts: number
  throttles: number
  seconds: number
}

async function migrate(args: string[], quota: QuotaProxy, scale = SCALE): Promise<Run> {
  const before = {throttles: quota.throttles()}
  const started = performance.now()
  const result = await runCli(['migrate', ...args, '--json'], {
    env: {AWS_ENDPOINT_URL: quota.endpoint, SECRETS_REPORT_API_CALLS: '1', SECRETS_AWS_QUOTA_SCALE: String(scale)},
    timeoutMs: 300_000,
  })
  const line = result.stderr.split('\n').find((candidate) => candidate.startsWith('secrets-api-calls '))
  if (!line) throw new Error(`no call report: ${result.stderr.slice(-2000)}`)
  const counted = JSON.parse(line.slice('secrets-api-calls '.length)) as {total: number; attempts: number}
  return {
    code: result.code,
    report: JSON.parse(result.stdout),
    calls: counted.total,
    attempts: counted.attempts,
    throttles: quota.throttles() - before.throttles,
    seconds: (performance.now() - started) / 1000,
  }
}

describe(`migrate under AWS quotas at ${SCALE} of the real rates`, () => {
  it(`migrates ${COUNT} parameters once each, none failed, at most 1.25 attempts a write; a re-run is unthrottled`, async () => {
    await seed(parameters('app', COUNT))
    proxy = await startQuotaProxy(inject('emulatorEndpoint'), {scale: SCALE})
    const first = await migrate(['--from-ssm', `/${E}/app`, '--to', `${E}/app`], proxy)
    console.info(`first run: ${first.seconds.toFixed(1)} s, ${first.attempts} attempts for ${first.calls} calls, ${first.throttles} throttled`)
    expect(first.code).toBe(0)
    expect(first.report.totals).toMatchObject({items: COUNT, created: COUNT, failed: 0})
    // Written once each: every CreateSecret that reached the emulator was a different item.
    expect(proxy.answered('CreateSecret')).toBe(COUNT)
    expect(proxy.answered('PutSecretValue')).toBe(0)
    expect(proxy.calls('secretsmanager:create-delete')).toBe(COUNT)
    expect((proxy.throttles('secretsmanager:create-delete') + COUNT) / COUNT).toBeLessThanOrEqual(1.25)
    expect(first.attempts / COUNT).toBeLessThanOrEqual(1.25 * (first.calls / COUNT))

    const again = await migrate(['--from-ssm', `/${E}/app`, '--to', `${E}/app`], proxy)
    console.info(`re-run: ${again.seconds.toFixed(1)} s, ${again.calls} calls, ${again.throttles} throttled`)
    expect(again.code).toBe(0)
    expect(again.report.totals).toMatchObject({items: COUNT, unchanged: COUNT})
    expect(again.calls / COUNT).toBeLessThanOrEqual(0.2)
    expect(again.throttles).toBe(0)
    expect(again.attempts).toBe(again.calls)
  }, 150_000)

  it('deletes the sources under Parameter Store rates with the same guarantees', async () => {
    await seed(parameters('del', COUNT))
    proxy = await startQuotaProxy(inject('emulatorEndpoint'), {scale: SCALE})
    const run = await migrate(['--from-ssm', `/${E}/del`, '--to', `${E}/del`, '--delete-source'], proxy)
    console.info(`--delete-source: ${run.seconds.toFixed(1)} s, ${run.attempts} attempts for ${run.calls} calls, ${run.throttles} throttled`)
    expect(run.code).toBe(0)
    expect(run.report.totals).toMatchObject({items: COUNT, created: COUNT, failed: 0, sourcesDeleted: COUNT})
    expect(proxy.answered('CreateSecret')).toBe(COUNT)
    expect(await parameterNames(`/${E}/del`)).toEqual([])
    expect(run.attempts / run.calls).toBeLessThanOrEqual(1.25)
  }, 150_000)

  it('still migrates every item once when the account gives it less than the quotas it paces at', async () => {
    // The CLI paces at the full quotas; the account (another workload on it) leaves it a fifth.
    const count = Math.round(COUNT / 2)
    await seed(parameters('shared', count))
    proxy = await startQuotaProxy(inject('emulatorEndpoint'), {scale: SCALE})
    const run = await migrate(['--from-ssm', `/${E}/shared`, '--to', `${E}/shared`], proxy, 1)
    console.info(`shared quota: ${run.seconds.toFixed(1)} s, ${run.attempts} attempts for ${run.calls} calls, ${run.throttles} throttled`)
    expect(run.code).toBe(0)
    expect(run.report.totals).toMatchObject({items: count, created: count, failed: 0})
    expect(proxy.answered('CreateSecret')).toBe(count)
    expect(proxy.throttles()).toBeGreaterThan(0)
    expect(run.attempts / run.calls).toBeLessThanOrEqual(1.25)
  }, 150_000)

  it('Ctrl-C while throttled finishes the writes in flight and exits 130 within 5 s', async () => {
    const count = 100
    await seed(parameters('stop', count))
    proxy = await startQuotaProxy(inject('emulatorEndpoint'), {scale: SCALE})
    const cli = startCli(['migrate', '--from-ssm', `/${E}/stop`, '--to', `${E}/stop`, '--json'], {
      env: {AWS_ENDPOINT_URL: proxy.endpoint, SECRETS_AWS_QUOTA_SCALE: String(SCALE)},
      timeoutMs: 120_000,
    })
    // Ten secrets in, the quota is gone (another workload took it): every write is throttled.
    await proxy.whenCalls('secretsmanager:create-delete', 10)
    proxy.throttleAll(true)
    // The writes in flight are now between retries; Ctrl-C there.
    const throttled = proxy.throttles('secretsmanager:create-delete')
    await proxy.whenThrottled('secretsmanager:create-delete', throttled + 8)
    const stoppedAt = performance.now()
    cli.kill('SIGINT')
    // A write still retried after the Ctrl-C, then the quota comes back.
    await proxy.whenThrottled('secretsmanager:create-delete', proxy.throttles('secretsmanager:create-delete') + 1)
    proxy.throttleAll(false)
    const result = await cli.result
    const seconds = (performance.now() - stoppedAt) / 1000
    console.info(`Ctrl-C: exit ${result.code} ${seconds.toFixed(2)} s after it, ${proxy.answered('CreateSecret')} created`)
    expect(result.code).toBe(130)
    expect(seconds).toBeLessThan(5)
    const report = JSON.parse(result.stdout) as {interrupted: boolean; totals: Record<string, number>; items: {outcome: string; verified?: boolean}[]}
    expect(report.interrupted).toBe(true)
    // The writes in flight finished (and were verified): none failed, none written twice, the rest not run.
    const created = proxy.answered('CreateSecret')
    expect(created).toBeGreaterThan(10)
    expect(report.totals).toMatchObject({items: count, created, failed: 0, 'not-run': count - created})
    expect(report.items.filter((item) => item.outcome === 'created').every((item) => item.verified)).toBe(true)
    expect(proxy.calls('secretsmanager:create-delete')).toBe(created)
  }, 150_000)
})
