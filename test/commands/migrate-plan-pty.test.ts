import {setTimeout as sleep} from 'node:timers/promises'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {parameterNames, secretValues, seed} from '../fixtures/migrate-helpers.js'
import {type AwsProxy, startAwsProxy} from '../helpers/aws-proxy.js'
import {emulatorEndpoint, runCli, uniqueEnv} from '../helpers/cli.js'
import {runCliInPty, screenLines} from '../helpers/pty.js'

const E = uniqueEnv('mplan')
// What the terminal of test/helpers/pty_run.py measures: 24 rows of 100 columns.
const COLUMNS = 100

/** The five secrets and three settings of a newcomer's /prod/orders. */
function orders(path: string) {
  return [
    {name: `${path}/DB_PASSWORD`, value: 'orders-db-pass-Zq81x', type: 'SecureString' as const},
    {name: `${path}/STRIPE_SECRET_KEY`, value: 'stripe-test-secret-value-1', type: 'SecureString' as const},
    {name: `${path}/JWT_SECRET`, value: 'jwt-secret-value-for-orders', type: 'SecureString' as const},
    {name: `${path}/API_TOKEN`, value: 'orders-api-token-7f3a9c2e1b', type: 'SecureString' as const},
    {name: `${path}/SMTP_PASSWORD`, value: 'smtp-pw-88-orders', type: 'SecureString' as const},
    {name: `${path}/DB_HOST`, value: 'orders.cluster.example.internal', type: 'String' as const},
    {name: `${path}/TIMEOUT`, value: '30', type: 'String' as const},
    {name: `${path}/ALLOWED_HOSTS`, value: 'a.example.com,b.example.com', type: 'StringList' as const},
  ]
}

describe('the migration plan on a terminal', () => {
  // Short names, as /prod/orders/... are: each row of the plan fits the 100 columns.
  const path = `/${E}/o`
  beforeAll(async () => seed(orders(path)))

  it('names every item it is about to write when they fit on the screen, and says which are configuration before asking', async () => {
    const run = await runCliInPty(['migrate', '--from-ssm', path], [{expect: String.raw`\(y/N\)`}, {send: 'n\r'}, {expect: 'nothing was written'}])
    expect(run.failure).toBeNull()
    expect(run.exit).toBe(130)
    const beforeQuestion = run.output.slice(0, run.output.indexOf('(y/N)'))
    for (const {name} of orders(path)) expect(beforeQuestion).toContain(name)
    expect(beforeQuestion).not.toContain('not shown')
    const lines = screenLines(beforeQuestion).join(' ')
    expect(lines).toMatch(/3 of the items this plan writes are configuration by the audit's rules, not secrets \([^)]*DB_HOST[^)]*\): --secrets-only takes only the secrets/)
    expect(lines).toContain('ALLOWED_HOSTS')
    expect(lines).toContain('TIMEOUT')
    expect(await secretValues([`${path}/DB_PASSWORD`])).toEqual(new Map())
  })

  it('breaks its prose at the terminal\'s width, between words', async () => {
    const run = await runCliInPty(['migrate', '--from-ssm', path, '--dry-run'], [{expect: 'Dry run: '}])
    expect(run.failure).toBeNull()
    const plan = screenLines(run.output.slice(0, run.output.indexOf('Dry run: ')))
    expect(plan.join(' ')).toMatch(/Estimated cost: 8 new secrets x \$0\.40 = \$3\.20 a month/)
    // The table's rows are as wide as their names; every line of prose fits the 100 columns.
    const prose = plan.filter((line) => !line.startsWith('/') && !line.startsWith('SOURCE'))
    for (const line of prose) expect(line.length, line).toBeLessThanOrEqual(COLUMNS)
    expect(prose.some((line) => line.startsWith('Estimated cost'))).toBe(true)
  })

  it('shows no cost when the run writes nothing (a re-run that only deletes its sources)', async () => {
    const done = `/${E}/done`
    await seed([{name: `${done}/SMTP_PASSWORD`, value: 'done smtp password', type: 'SecureString'}])
    expect((await runCli(['migrate', '--from-ssm', done])).code).toBe(0)
    const run = await runCliInPty(['migrate', '--from-ssm', done, '--delete-source'], [{expect: 'Will delete 1 source parameter'}, {expect: String.raw`\(y/N\)`}, {send: 'n\r'}, {expect: 'Migration: '}])
    expect(run.failure).toBeNull()
    expect(run.exit).toBe(0)
    expect(run.output).toContain('1 unchanged')
    expect(run.output).not.toContain('Estimated cost')
    expect(run.output).not.toContain('API call')
    expect(await parameterNames(done)).toEqual([`${done}/SMTP_PASSWORD`])
  })
})

describe('Ctrl-C during a migration on a terminal', () => {
  const COUNT = 40
  let proxy: AwsProxy
  const path = `/${E}/stop`

  beforeAll(async () => {
    // Every write takes a quarter of a second, so the run is still writing when Ctrl-C comes.
    proxy = await startAwsProxy(emulatorEndpoint(), {
      async intercept(request) {
        if (request.operation === 'CreateSecret') await sleep(250)
        return undefined
      },
    })
    await seed(Array.from({length: COUNT}, (_, index) => ({name: `${path}/TOKEN_${String(index).padStart(2, '0')}`, value: `stop token ${index}`, type: 'SecureString' as const})))
  })
  afterAll(async () => proxy.close())

  it('counts the unwritten items instead of listing them, and names the command that finishes the job', async () => {
    const args = ['migrate', '--from-ssm', path, '--yes', '--concurrency', '1']
    const env = {AWS_ENDPOINT_URL: proxy.endpoint}
    const stopped = await runCliInPty(args, [{expect: String.raw`[1-9]\d*/${COUNT} written`}, {signal: 'INT'}, {expect: 'Interrupted: '}], env)
    expect(stopped.failure).toBeNull()
    expect(stopped.exit).toBe(130)
    const summary = new RegExp(String.raw`Interrupted: ${COUNT} items: (\d+) created, (\d+) not run\.`).exec(stopped.output)
    expect(summary).not.toBeNull()
    const notRun = Number(summary?.[2])
    expect(notRun).toBeGreaterThan(0)
    const text = screenLines(stopped.output).join(' ')
    // The note that Ctrl-C was heard breaks at the 100 columns too (its last words on a line of their own).
    expect(screenLines(stopped.output)).toContain('once).')
    expect(text).toContain(`${notRun} items were not written (interrupted): --verbose lists them, --json every item.`)
    expect(stopped.output).not.toContain('interrupted before this item was written')
    expect(stopped.output).not.toMatch(/TOKEN_\d+\s+\S+\s+not-run/)
    expect(text).toMatch(/Hint: Run the same command again to finish; items already written plan as unchanged and are not\s+written twice:/)
    // The command on a line of its own, as typed.
    expect(screenLines(stopped.output)).toContain(`  secrets ${args.join(' ')}`)

    // The command it names finishes the job: the rest created, the first ones unchanged.
    const finished = await runCli(args)
    expect(finished.code).toBe(0)
    expect(finished.stdout).toContain(`Migration: ${COUNT} items: ${notRun} created, ${COUNT - notRun} unchanged.`)
  })

  it('lists the unwritten items with --verbose', async () => {
    const other = `/${E}/stopv`
    await seed(Array.from({length: COUNT}, (_, index) => ({name: `${other}/TOKEN_${String(index).padStart(2, '0')}`, value: `stopv token ${index}`, type: 'SecureString' as const})))
    const stopped = await runCliInPty(['migrate', '--from-ssm', other, '--yes', '--concurrency', '1', '--verbose'], [{expect: String.raw`[1-9]\d*/${COUNT} written`}, {signal: 'INT'}, {expect: 'Interrupted: '}], {AWS_ENDPOINT_URL: proxy.endpoint})
    expect(stopped.failure).toBeNull()
    expect(stopped.output).toMatch(/TOKEN_\d+\s+\S+\s+not-run\s+interrupted before this item was written/)
  })
})
