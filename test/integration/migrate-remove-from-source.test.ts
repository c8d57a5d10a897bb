import {UpdateFunctionConfigurationCommand} from '@aws-sdk/client-lambda'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {emulatorClients} from '../fixtures/audit-accounts.js'
import {createFunction, expectNoValues, functionConfiguration, secretStore, secretValues} from '../fixtures/migrate-helpers.js'
import {emulatorEndpoint, runCli, uniqueEnv} from '../helpers/cli.js'
import {type LambdaRevisionProxy, startLambdaRevisionProxy} from '../helpers/lambda-revisions.js'

const E = uniqueEnv('mrm')

/** Two secrets (one by name, one by value) beside configuration that must stay. */
const VARIABLES = {
  DB_PASSWORD: 'rm-p@ss wörd 🔑',
  STRIPE_API_KEY: 'rm-stripe-key-0a1b2c3d',
  LOG_LEVEL: 'debug',
  TABLE_NAME: 'orders',
}
const SECRETS = [VARIABLES.DB_PASSWORD, VARIABLES.STRIPE_API_KEY]
const SETTINGS = {Timeout: 17, MemorySize: 384, Description: 'billing api', Handler: 'index.main'}
const fn = (label: string) => `${E}-${label}`

interface Report {
  items: {source: string; outcome: string; sourceDeleted?: boolean; sourceKept?: string; reason?: string}[]
  exitCode: number
  hint?: string
  recipe?: {removeVariables: string[]; removedVariables?: string[]}
}

let proxy: LambdaRevisionProxy
/** The CLI through the proxy that plays AWS's RevisionId (test/helpers/lambda-revisions.ts). */
const viaProxy = (args: string[]) => runCli(args, {env: {AWS_ENDPOINT_URL: proxy.endpoint}})

describe('secrets migrate --from-lambda --remove-from-source', () => {
  beforeAll(async () => {
    proxy = await startLambdaRevisionProxy(emulatorEndpoint())
    await Promise.all(['exact', 'changed', 'norev', 'only', 'dry', 'echo'].map((label) => createFunction(fn(label), VARIABLES, SETTINGS)))
  })
  afterAll(async () => proxy.close())

  it('removes exactly the migrated variables, once verified, keeping every other variable and setting', async () => {
    const result = await viaProxy(['migrate', '--from-lambda', fn('exact'), '--to', `${E}/exact`, '--remove-from-source', '--json'])
    expect(result.code, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout) as Report
    expect(report.items.filter((item) => item.sourceDeleted).map((item) => item.source)).toEqual(['DB_PASSWORD', 'STRIPE_API_KEY'])
    expect(report.recipe?.removedVariables).toEqual(['DB_PASSWORD', 'STRIPE_API_KEY'])
    const after = await functionConfiguration(fn('exact'))
    expect(after.Environment?.Variables).toEqual({LOG_LEVEL: 'debug', TABLE_NAME: 'orders'})
    expect({Timeout: after.Timeout, MemorySize: after.MemorySize, Description: after.Description, Handler: after.Handler}).toEqual(SETTINGS)
    // One write, carrying only the environment and the RevisionId the function had when it was read.
    const updates = proxy.updates.filter((update) => update.fn === fn('exact'))
    expect(updates).toHaveLength(1)
    expect(updates[0]).toMatchObject({accepted: true, keys: ['Environment', 'RevisionId']})
    expect(updates[0].revisionId).toMatch(/^[\da-f]{8}-/)
    const values = await secretValues([`/${E}/exact/DB_PASSWORD`, `/${E}/exact/STRIPE_API_KEY`])
    expect([...values.values()]).toEqual(SECRETS)
    expectNoValues([result.stdout, result.stderr], SECRETS)

    const again = await viaProxy(['migrate', '--from-lambda', fn('exact'), '--to', `${E}/exact`, '--remove-from-source'])
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('Migration: 2 items: 2 left in place (not secrets).')
    expect(proxy.updates.filter((update) => update.fn === fn('exact'))).toHaveLength(1)
  })

  it('refuses when the function changed between its read and the write: nothing removed, exit 4, and a re-run finishes', async () => {
    const name = fn('changed')
    proxy.beforeNextUpdate(async () => {
      // Someone else's deployment lands in between.
      await emulatorClients(emulatorEndpoint()).lambda.send(new UpdateFunctionConfigurationCommand({FunctionName: name, Environment: {Variables: {...VARIABLES, FEATURE_FLAG: 'on'}}}))
    })
    const result = await viaProxy(['migrate', '--from-lambda', name, '--to', `${E}/changed`, '--remove-from-source'])
    expect(result.code).toBe(4)
    expect(result.stdout).toContain(`kept: ${name} was not changed (${name} changed or is being updated by someone else`)
    expect(result.stderr).toContain('Every item migrated and verified, but removing the variables from the function failed')
    expect(result.stderr).toContain('Run the same command again')
    expect(proxy.updates.filter((update) => update.fn === name).map((update) => update.accepted)).toEqual([false])
    expect((await functionConfiguration(name)).Environment?.Variables).toEqual({...VARIABLES, FEATURE_FLAG: 'on'})
    expectNoValues([result.stdout, result.stderr], SECRETS)

    const again = await viaProxy(['migrate', '--from-lambda', name, '--to', `${E}/changed`, '--remove-from-source'])
    expect(again.code, again.stderr).toBe(0)
    expect((await functionConfiguration(name)).Environment?.Variables).toEqual({LOG_LEVEL: 'debug', TABLE_NAME: 'orders', FEATURE_FLAG: 'on'})
  })

  it('never prints what the write carried, even when the endpoint quotes it back in its error', async () => {
    proxy.refuseNextUpdate('InvalidParameterException', (body) => `Invalid request: ${body}`)
    const result = await viaProxy(['migrate', '--from-lambda', fn('echo'), '--to', `${E}/echo`, '--remove-from-source'])
    expect(result.code).toBe(2)
    expect(result.stdout + result.stderr).toContain('AWS refused lambda:UpdateFunctionConfiguration')
    expectNoValues([result.stdout, result.stderr], [...SECRETS, 'orders'])
    expect((await functionConfiguration(fn('echo'))).Environment?.Variables).toEqual(VARIABLES)
  })

  it('refuses to write without a RevisionId to guard it (the bare emulator gives none): exit 4, the function untouched', async () => {
    const result = await runCli(['migrate', '--from-lambda', fn('norev'), '--to', `${E}/norev`, '--remove-from-source'])
    expect(result.code).toBe(4)
    expect(result.stdout).toContain('AWS gave no RevisionId for the function')
    // Running it again would stop the same way: the hint sends the user to the template instead.
    expect(result.stderr).toContain("Remove the variables from")
    expect(result.stderr).not.toContain('Run the same command again')
    expect((await functionConfiguration(fn('norev'))).Environment?.Variables).toEqual(VARIABLES)
    expect((await secretValues([`/${E}/norev/DB_PASSWORD`])).get(`/${E}/norev/DB_PASSWORD`)).toBe(VARIABLES.DB_PASSWORD)
  })

  it('--only of a variable already migrated and removed says so and exits 0; one never there still exits 3', async () => {
    const args = ['migrate', '--from-lambda', fn('only'), '--to', `${E}/only`, '--only', 'DB_PASSWORD', '--remove-from-source']
    expect((await viaProxy(args)).code).toBe(0)
    expect((await functionConfiguration(fn('only'))).Environment?.Variables?.DB_PASSWORD).toBeUndefined()
    const again = await viaProxy([...args, '--json'])
    expect(again.code).toBe(0)
    const report = JSON.parse(again.stdout) as Report
    expect(report.items).toEqual([])
    expect(report.hint).toBe(`Nothing left to do for DB_PASSWORD: it was migrated earlier (the secret is tagged with its source) and is no longer in ${fn('only')}.`)
    const text = await viaProxy(args)
    expect(text.stderr).toContain('Note: Nothing left to do for DB_PASSWORD')
    expect(await (await secretStore()).history(`/${E}/only/DB_PASSWORD`)).toHaveLength(1)
    const typo = await viaProxy(['migrate', '--from-lambda', fn('only'), '--to', `${E}/only`, '--only', 'DB_PASWORD'])
    expect(typo.code).toBe(3)
  })

  it('the plan and the dry run list the variables it would remove, and --from-ecs refuses the flag (exit 2)', async () => {
    const dry = await viaProxy(['migrate', '--from-lambda', fn('dry'), '--to', `${E}/dry`, '--remove-from-source', '--dry-run'])
    expect(dry.code).toBe(0)
    expect(dry.stdout).toContain(`Would remove 2 variables from function ${fn('dry')} (--remove-from-source), only once every secret verified equal; every other variable and setting stays:\n  DB_PASSWORD\n  STRIPE_API_KEY\n`)
    expect((await functionConfiguration(fn('dry'))).Environment?.Variables).toEqual(VARIABLES)
    const ecs = await runCli(['migrate', '--from-ecs', `${E}-family`, '--to', `${E}/ecs`, '--remove-from-source'])
    expect(ecs.code).toBe(2)
    expect(ecs.stderr).toContain('a task definition revision cannot be changed')
    // The way out it names is the read at run time, not valueFrom (which leaves the value in the container's environment).
    expect(ecs.stderr).toContain('read them at run time with the task role')
    expect(ecs.stderr).not.toContain('valueFrom')
    const ssm = await runCli(['migrate', '--from-ssm', `/${E}/x`, '--remove-from-source'])
    expect(ssm.code).toBe(2)
    expect(ssm.stderr).toContain('use --delete-source')
  })
})
