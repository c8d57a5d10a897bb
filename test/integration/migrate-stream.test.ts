/**
 * Issue 18: in a pipeline, an SSM migration writes each page of the listing as it arrives when
 * nothing later in the listing could change what an earlier item should do, and otherwise lists every
 * name first and says why. The loopback proxy freezes the run at its first CreateSecret, so the test
 * reads how many listing pages had been answered by then: an exact point, no timing.
 */
import {CreateSecretCommand, DeleteSecretCommand} from '@aws-sdk/client-secrets-manager'
import {afterEach, describe, expect, inject, it} from 'vitest'

import {secretsManagerClient} from '../../src/aws/clients.js'
import {secretValues, seed} from '../fixtures/migrate-helpers.js'
import {type AwsProxy, type AwsProxyHooks, startAwsProxy} from '../helpers/aws-proxy.js'
import {runCli, uniqueEnv} from '../helpers/cli.js'

const E = uniqueEnv('mstream')
const COUNT = 300
const PAGES = COUNT / 10

type Report = {
  items: {source: string; outcome: string; verified?: boolean}[]
  totals: Record<string, number>
  exitCode: number
  planning?: {mode: 'streamed'} | {mode: 'whole'; why: string}
  hint?: string
}

const parameters = (service: string, count = COUNT) =>
  Array.from({length: count}, (_, i) => ({name: `/${E}/${service}/P${String(i).padStart(3, '0')}`, value: `value ${i} of ${service}`, type: 'SecureString' as const}))

let proxy: AwsProxy | undefined
afterEach(async () => {
  await proxy?.close()
  proxy = undefined
})

/** Runs the CLI through the proxy, noting how many listing pages were answered when the first secret was created. */
async function runWatchingFirstWrite(
  args: string[],
  hooks: AwsProxyHooks = {},
): Promise<{report: Report; code: number | null; stdout: string; stderr: string; pagesBeforeFirstWrite?: number; pages: number}> {
  proxy = await startAwsProxy(inject('emulatorEndpoint'), hooks)
  const watched = proxy
  let pagesBeforeFirstWrite: number | undefined
  const frozen = watched.freezeWhen((answered) => answered('CreateSecret') >= 1 || answered('PutSecretValue') >= 1).then(() => {
    pagesBeforeFirstWrite = watched.answered('GetParametersByPath')
    watched.release()
  })
  const result = await runCli(args, {env: {AWS_ENDPOINT_URL: watched.endpoint}})
  if (pagesBeforeFirstWrite !== undefined) await frozen
  const report = (args.includes('--json') ? JSON.parse(result.stdout) : {}) as Report
  return {report, code: result.code, stdout: result.stdout, stderr: result.stderr, pagesBeforeFirstWrite, pages: watched.answered('GetParametersByPath')}
}

describe('a pipeline migration whose names are their own secrets streams its plan', () => {
  it('writes the first secret while most of the listing is still to come, and still creates and verifies every item', async () => {
    const seeded = parameters('fresh')
    await seed(seeded)
    const run = await runWatchingFirstWrite(['migrate', '--from-ssm', `/${E}/fresh`, '--json'])
    expect(run.code).toBe(0)
    expect(run.report.planning).toEqual({mode: 'streamed'})
    // A whole plan would have answered all 30 pages first.
    expect(run.pagesBeforeFirstWrite).toBeLessThanOrEqual(2)
    expect(run.report.totals.created).toBe(COUNT)
    expect(run.report.items.every((item) => item.verified === true)).toBe(true)
    // The report is sorted by name like a whole plan's, whatever order the pages came in.
    expect(run.report.items.map((item) => item.source)).toEqual(seeded.map((parameter) => parameter.name))
    const values = await secretValues(seeded.map((parameter) => parameter.name))
    expect(seeded.every((parameter) => values.get(parameter.name) === parameter.value)).toBe(true)
  })

  it('keeps the listing at most about a hundred items ahead of the writes (values held stay bounded)', async () => {
    await seed(parameters('ahead'))
    proxy = await startAwsProxy(inject('emulatorEndpoint'))
    const watched = proxy
    let pagesAtFifthWrite = 0
    // Frozen after the 5th write: the listing, one write at a time, may have planned ~110 items, not 300.
    const frozen = watched.freezeWhen((answered) => answered('CreateSecret') >= 5).then(async () => {
      await watched.settled()
      pagesAtFifthWrite = watched.answered('GetParametersByPath')
      watched.release()
    })
    const result = await runCli(['migrate', '--from-ssm', `/${E}/ahead`, '--concurrency', '1', '--json'], {env: {AWS_ENDPOINT_URL: watched.endpoint}})
    await frozen
    expect(result.code).toBe(0)
    expect(pagesAtFifthWrite).toBeGreaterThan(0)
    expect(pagesAtFifthWrite).toBeLessThanOrEqual(13)
    expect((JSON.parse(result.stdout) as Report).totals.created).toBe(COUNT)
  })

  it('reads written secrets back 200 at a time while the listing goes on, so a long run holds only report lines', async () => {
    const seeded = parameters('readback', 600)
    await seed(seeded)
    proxy = await startAwsProxy(inject('emulatorEndpoint'))
    const watched = proxy
    let atFirstReadBack = {pages: 0, writes: 0}
    // One write at a time, the listing stays about 100 items ahead: at the 200th write it is near
    // page 30 of 60. A run that read back only at its end would first do so after page 60.
    const frozen = watched.freezeWhen((answered) => answered('BatchGetSecretValue') >= 1).then(async () => {
      await watched.settled()
      atFirstReadBack = {pages: watched.answered('GetParametersByPath'), writes: watched.answered('CreateSecret')}
      watched.release()
    })
    const result = await runCli(['migrate', '--from-ssm', `/${E}/readback`, '--concurrency', '1', '--json'], {env: {AWS_ENDPOINT_URL: watched.endpoint}})
    await frozen
    expect(result.code).toBe(0)
    // The first batch is read back once the 200th write is answered; the 201st may be under way beside it.
    expect(atFirstReadBack.writes).toBeGreaterThanOrEqual(200)
    expect(atFirstReadBack.writes).toBeLessThanOrEqual(201)
    expect(atFirstReadBack.pages).toBeLessThanOrEqual(32)
    const report = JSON.parse(result.stdout) as Report
    expect(report.totals.created).toBe(600)
    expect(report.items.every((item) => item.verified === true)).toBe(true)
    // 600 read back in batches of 200, 20 a call: 30 calls, none twice.
    expect(watched.answered('BatchGetSecretValue')).toBe(30)
  })

  it('says in a pipeline log that it streams, instead of printing a plan table first', async () => {
    await seed(parameters('log', 12))
    const result = await runCli(['migrate', '--from-ssm', `/${E}/log`])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`Writing /${E}/log page by page as it is listed`)
    expect(result.stdout).not.toMatch(/^Plan:/m)
    expect(result.stdout).toMatch(/Migration: 12 items: 12 created\./)
  })

  it('streams a re-run under --on-conflict overwrite: changed values are updated, the rest unchanged', async () => {
    const seeded = parameters('overwrite', 40)
    await seed(seeded)
    expect((await runCli(['migrate', '--from-ssm', `/${E}/overwrite`])).code).toBe(0)
    await seed([{...seeded[7], value: 'changed in SSM since'}])
    const run = await runWatchingFirstWrite(['migrate', '--from-ssm', `/${E}/overwrite`, '--on-conflict', 'overwrite', '--json'])
    expect(run.code).toBe(0)
    expect(run.report.planning).toEqual({mode: 'streamed'})
    expect([run.report.totals.updated, run.report.totals.unchanged]).toEqual([1, 39])
    expect((await secretValues([seeded[7].name])).get(seeded[7].name)).toBe('changed in SSM since')
  })

  it('stops at a listing that fails midway: the writes in flight finish and verify, and the error says a re-run finishes', async () => {
    await seed(parameters('denied', 100))
    let pages = 0
    const deniedAfterFourPages: AwsProxyHooks = {
      intercept: async (request) => {
        if (request.operation !== 'GetParametersByPath' || ++pages <= 4) return undefined
        const body = JSON.stringify({__type: 'AccessDeniedException', message: 'User is not authorized to perform: ssm:GetParametersByPath'})
        return {status: 400, headers: {'content-type': 'application/x-amz-json-1.1'}, body: Buffer.from(body)}
      },
    }
    const run = await runWatchingFirstWrite(['migrate', '--from-ssm', `/${E}/denied`], deniedAfterFourPages)
    expect(run.code).toBe(5)
    expect(run.stderr).toMatch(/40 secrets were written and verified before the listing failed; the same command finishes the migration/)
    // Pages come in the emulator's order, not by name: count what exists of all 100.
    const written = await secretValues(parameters('denied', 100).map((parameter) => parameter.name))
    expect([...written.values()].filter((value) => value !== undefined)).toHaveLength(40)
  })
})

describe('a pipeline migration that must see every name first says why', () => {
  it('with --to: parameters in two folders could share a last name, so every page is listed before the first write', async () => {
    await seed(parameters('nested'))
    const run = await runWatchingFirstWrite(['migrate', '--from-ssm', `/${E}/nested`, '--to', `${E}/moved`, '--json'])
    expect(run.code).toBe(0)
    expect(run.report.planning).toEqual({mode: 'whole', why: expect.stringMatching(/^with --to, two parameters in different folders below \S+ can share a last name/)})
    // Every page of the listing (30 of 10, then the empty one a full last page is followed by).
    expect(run.pagesBeforeFirstWrite).toBe(run.pages)
    expect(run.pages).toBeGreaterThanOrEqual(PAGES)
    expect(run.report.totals.created).toBe(COUNT)
  })

  it('prints the reason under a long plan in a pipeline log', async () => {
    await seed(parameters('why', 120))
    const result = await runCli(['migrate', '--from-ssm', `/${E}/why`, '--to', `${E}/whymoved`])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^Plan:/m)
    expect(result.stdout).toContain('Every name was listed before the first write: with --to, two parameters in different folders')
  })

  it('with secrets already there under --on-conflict fail: one differing value must block every write', async () => {
    const seeded = parameters('taken', 30)
    await seed(seeded)
    const sm = await secretsManagerClient({region: 'us-east-1'})
    await sm.send(new CreateSecretCommand({Name: seeded[29].name, SecretString: 'another value'}))
    const run = await runWatchingFirstWrite(['migrate', '--from-ssm', `/${E}/taken`, '--json'])
    expect(run.report.planning).toEqual({mode: 'whole', why: expect.stringContaining('--on-conflict fail writes nothing if one of them differs')})
    expect(run.code).toBe(4)
    expect(run.pagesBeforeFirstWrite).toBeUndefined()
    expect(run.report.totals.conflict + run.report.totals['not-run']).toBe(30)
  })

  it('with a secret scheduled for deletion under the path: it blocks the plan if a parameter maps to it', async () => {
    const seeded = parameters('scheduled', 20)
    await seed(seeded)
    const sm = await secretsManagerClient({region: 'us-east-1'})
    await sm.send(new CreateSecretCommand({Name: seeded[19].name, SecretString: 'old'}))
    await sm.send(new DeleteSecretCommand({SecretId: seeded[19].name, RecoveryWindowInDays: 7}))
    const run = await runWatchingFirstWrite(['migrate', '--from-ssm', `/${E}/scheduled`, '--on-conflict', 'overwrite', '--json'])
    expect(run.report.planning).toEqual({mode: 'whole', why: expect.stringContaining(`${seeded[19].name} is scheduled for deletion`)})
    expect(run.code).toBe(4)
    expect(run.pagesBeforeFirstWrite).toBeUndefined()
  })

  it('with --delete-source: every deletion is listed before the first write', async () => {
    await seed(parameters('deleting', 20))
    const run = await runWatchingFirstWrite(['migrate', '--from-ssm', `/${E}/deleting`, '--delete-source', '--json'])
    expect(run.code).toBe(0)
    expect(run.report.planning).toEqual({mode: 'whole', why: '--delete-source lists every parameter it would delete before the first write'})
    expect(run.pagesBeforeFirstWrite).toBe(run.pages)
  })
})
