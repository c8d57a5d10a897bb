import {spawn} from 'node:child_process'

import {RegisterTaskDefinitionCommand} from '@aws-sdk/client-ecs'
import {beforeAll, describe, expect, it} from 'vitest'

import type {PolicyDocument} from '../../src/core/iam-policy.js'
import {credentialShapes, emulatorClients} from '../fixtures/audit-accounts.js'
import {evaluate, secretArn} from '../fixtures/grant-evaluator.js'
import {createFunction, expectNoValues, secretStore, secretValues} from '../fixtures/migrate-helpers.js'
import {BIN, cliEnv, emulatorEndpoint, ROOT, runCli, uniqueEnv} from '../helpers/cli.js'

const E = uniqueEnv('mwl')
const GET = 'secretsmanager:GetSecretValue'

interface Report {
  items: {source: string; target?: string; plan: string; outcome: string; reason?: string; selected?: string; verified?: boolean}[]
  totals: Record<string, number>
  exitCode: number
  recipe?: {kind: string; workload: string; grant: string; removeVariables: string[]}
}

/** A function's environment: two secrets (one by its name, one by its value's shape) and configuration. */
const LAMBDA_VARIABLES = {
  DB_PASSWORD: '  p@ss wörd = #not a comment 🔑  ',
  GITHUB_TOKEN: credentialShapes.githubToken(),
  LOG_LEVEL: 'debug',
  TABLE_NAME: 'billing-orders',
  STRIPE_KEY_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:/prod/billing/STRIPE_KEY-AbCdEf',
}
const SECRET_VALUES = [LAMBDA_VARIABLES.DB_PASSWORD, LAMBDA_VARIABLES.GITHUB_TOKEN, 'sup3r-secret-ecs-pw', 'tok-9f8e7d6c5b4a']

const fn = (label: string) => `${E}-${label}`
const json = (stdout: string) => JSON.parse(stdout) as Report

describe('secrets migrate --from-lambda', () => {
  beforeAll(async () => {
    await Promise.all([createFunction(fn('billing'), LAMBDA_VARIABLES), createFunction(fn('rerun'), LAMBDA_VARIABLES), createFunction(fn('only'), LAMBDA_VARIABLES)])
  })

  it("moves only the function's secrets, byte for byte and verified, and says why each variable is taken or left", async () => {
    const result = await runCli(['migrate', '--from-lambda', fn('billing'), '--to', `${E}/billing`])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Migration: 5 items: 2 created, 3 left in place (not secrets).')
    expect(result.stdout).toMatch(/DB_PASSWORD .*create .*secret: name contains PASSWORD/)
    expect(result.stdout).toMatch(/GITHUB_TOKEN .*create .*secret: value matches/)
    expect(result.stdout).toMatch(/LOG_LEVEL .*left .*neither the name nor the value looks like a secret/)
    expect(result.stdout).toMatch(/STRIPE_KEY_ARN .*left .*ARN \(a reference\)/)
    const values = await secretValues([`/${E}/billing/DB_PASSWORD`, `/${E}/billing/GITHUB_TOKEN`, `/${E}/billing/LOG_LEVEL`, `/${E}/billing/TABLE_NAME`])
    expect(values.get(`/${E}/billing/DB_PASSWORD`)).toBe(LAMBDA_VARIABLES.DB_PASSWORD)
    expect(values.get(`/${E}/billing/GITHUB_TOKEN`)).toBe(LAMBDA_VARIABLES.GITHUB_TOKEN)
    expect(values.get(`/${E}/billing/LOG_LEVEL`)).toBeUndefined()
    expect(values.get(`/${E}/billing/TABLE_NAME`)).toBeUndefined()
    const metadata = await (await secretStore()).describe(`/${E}/billing/DB_PASSWORD`)
    expect(metadata.tags).toEqual({'secrets:migrated-from': 'lambda', 'secrets:source-name': `${fn('billing')}:DB_PASSWORD`})
    expectNoValues([result.stdout, result.stderr], SECRET_VALUES)
  })

  it('prints one grant for all of its secrets, which yields a policy for exactly those, and the variables to remove', async () => {
    const result = await runCli(['migrate', '--from-lambda', fn('billing'), '--to', `${E}/billing`, '--format', 'json'])
    expect(result.code).toBe(0)
    const grant = `secrets grant ${E}/billing --function ${fn('billing')} --secret DB_PASSWORD --secret GITHUB_TOKEN --format json`
    expect(result.stdout).toContain(`Left to do (function ${fn('billing')} was not changed):`)
    expect(result.stdout).toContain(`     ${grant}\n`)
    expect(result.stdout).toContain("remove these variables from the function's environment in its template: DB_PASSWORD, GITHUB_TOKEN")
    const printed = await runCli(grant.split(' ').slice(1))
    expect(printed.code).toBe(0)
    const policy = JSON.parse(printed.stdout) as PolicyDocument
    const at = {region: 'us-east-1'}
    expect(await evaluate(policy, GET, secretArn(`/${E}/billing/DB_PASSWORD`, at))).toBe('Allowed')
    expect(await evaluate(policy, GET, secretArn(`/${E}/billing/GITHUB_TOKEN`, at))).toBe('Allowed')
    expect(await evaluate(policy, GET, secretArn(`/${E}/billing/LOG_LEVEL`, at))).toBe('ImplicitlyDenied')
    expect(await evaluate(policy, GET, secretArn(`/${E}/billing/STRIPE_KEY_ARN`, at))).toBe('ImplicitlyDenied')
  })

  it('re-runs as unchanged, writing no new version, and still prints the recipe', async () => {
    expect((await runCli(['migrate', '--from-lambda', fn('rerun'), '--to', `${E}/rerun`])).code).toBe(0)
    const result = await runCli(['migrate', '--from-lambda', fn('rerun'), '--to', `${E}/rerun`, '--json'])
    expect(result.code).toBe(0)
    const report = json(result.stdout)
    expect(report.items.filter((item) => item.plan !== 'left').map((item) => [item.source, item.outcome])).toEqual([
      ['DB_PASSWORD', 'unchanged'],
      ['GITHUB_TOKEN', 'unchanged'],
    ])
    expect(report.recipe).toEqual({
      kind: 'lambda',
      workload: fn('rerun'),
      grant: `secrets grant ${E}/rerun --function ${fn('rerun')} --secret DB_PASSWORD --secret GITHUB_TOKEN`,
      removeVariables: ['DB_PASSWORD', 'GITHUB_TOKEN'],
    })
    const store = await secretStore()
    expect(await store.history(`/${E}/rerun/DB_PASSWORD`)).toHaveLength(1)
    expect(await store.history(`/${E}/rerun/GITHUB_TOKEN`)).toHaveLength(1)
    expectNoValues([result.stdout, result.stderr], SECRET_VALUES)
  })

  it('--only takes exactly the variables named, secret-looking or not, and fails on a name the function lacks', async () => {
    const result = await runCli(['migrate', '--from-lambda', fn('only'), '--to', `${E}/only`, '--only', 'TABLE_NAME', '--json'])
    expect(result.code).toBe(0)
    const report = json(result.stdout)
    expect(report.items.map((item) => [item.source, item.outcome])).toEqual([['TABLE_NAME', 'created']])
    expect(report.items[0].selected).toContain('named by --only (the audit would leave it')
    expect(report.totals.notSelected).toBe(4)
    expect((await secretValues([`/${E}/only/TABLE_NAME`])).get(`/${E}/only/TABLE_NAME`)).toBe('billing-orders')
    const typo = await runCli(['migrate', '--from-lambda', fn('only'), '--to', `${E}/only`, '--only', 'DB_PASSWROD'])
    expect(typo.code).toBe(3)
    expect(typo.stderr).toContain(`no such environment variable in function ${fn('only')}`)
  })

  it('needs --to, refuses --delete-source, and names a function that does not exist', async () => {
    const noTo = await runCli(['migrate', '--from-lambda', fn('billing')])
    expect(noTo.code).toBe(2)
    expect(noTo.stderr).toContain('--from-lambda needs --to ENV/SERVICE')
    const deleting = await runCli(['migrate', '--from-lambda', fn('billing'), '--to', `${E}/billing`, '--delete-source'])
    expect(deleting.code).toBe(2)
    const missing = await runCli(['migrate', '--from-lambda', fn('nowhere'), '--to', `${E}/nowhere`])
    expect(missing.code).toBe(3)
    expect(missing.stderr).toContain(fn('nowhere'))
  })
})

/** Starts a migration and kills it (SIGKILL) once its stderr shows `written 100 of` (plain progress, no TTY). */
function runAndKill(args: string[]): Promise<{code: number | null; stderr: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {cwd: ROOT, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe']})
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      if (/written 100 of/.test(stderr)) child.kill('SIGKILL')
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({code, stderr}))
  })
}

describe('an interrupted migration from a Lambda function', () => {
  // Past the 100 writes after which plain progress says so, and each a secret by its name.
  const variables = Object.fromEntries(Array.from({length: 130}, (_, i) => [`S${String(i).padStart(3, '0')}_TOKEN`, `tok-${i}-abcdefgh`]))
  const name = fn('killed')

  beforeAll(async () => {
    await createFunction(name, variables)
  })

  it('killed part-way, finishes on a re-run with every secret written once', async () => {
    const args = ['migrate', '--from-lambda', name, '--to', `${E}/killed`, '--concurrency', '1']
    const killed = await runAndKill(args)
    expect(killed.code).toBeNull()
    const targets = Object.keys(variables).map((variable) => `/${E}/killed/${variable}`)
    const before = await secretValues(targets)
    const written = [...before.values()].filter((value) => value !== undefined).length
    expect(written).toBeGreaterThanOrEqual(100)
    expect(written).toBeLessThan(130)

    const again = await runCli(args)
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toContain(`${130 - written} created, ${written} unchanged`)
    const values = await secretValues(targets)
    for (const [variable, value] of Object.entries(variables)) expect(values.get(`/${E}/killed/${variable}`)).toBe(value)
    const store = await secretStore()
    for (const target of targets.slice(0, 40)) expect(await store.history(target)).toHaveLength(1)
  })
})

describe('secrets migrate --from-ecs', () => {
  const family = `${E}-worker`

  beforeAll(async () => {
    const {ecs} = emulatorClients(emulatorEndpoint())
    const register = (password: string) =>
      ecs.send(
        new RegisterTaskDefinitionCommand({
          family,
          containerDefinitions: [
            {name: 'app', image: 'app:1', memory: 128, environment: [{name: 'DB_PASSWORD', value: password}, {name: 'PORT', value: '8080'}]},
            {name: 'sidecar', image: 'sidecar:1', memory: 64, environment: [{name: 'API_TOKEN', value: 'tok-9f8e7d6c5b4a'}, {name: 'REGION', value: 'eu-west-1'}]},
          ],
        }),
      )
    // Two revisions: only the latest one is read.
    await register('an-older-password-1')
    await register('sup3r-secret-ecs-pw')
  })

  it("moves the secrets of every container of the latest revision, and prints the task role's grant and the read at run time, valueFrom only as the lesser step", async () => {
    const result = await runCli(['migrate', '--from-ecs', family, '--to', `${E}/worker`, '--json'])
    expect(result.code).toBe(0)
    const report = json(result.stdout)
    expect(report.items.map((item) => [item.source, item.target ?? '-', item.outcome])).toEqual([
      ['app/DB_PASSWORD', `/${E}/worker/DB_PASSWORD`, 'created'],
      ['app/PORT', '-', 'left'],
      ['sidecar/API_TOKEN', `/${E}/worker/API_TOKEN`, 'created'],
      ['sidecar/REGION', '-', 'left'],
    ])
    const values = await secretValues([`/${E}/worker/DB_PASSWORD`, `/${E}/worker/API_TOKEN`])
    expect(values.get(`/${E}/worker/DB_PASSWORD`)).toBe('sup3r-secret-ecs-pw')
    expect(values.get(`/${E}/worker/API_TOKEN`)).toBe('tok-9f8e7d6c5b4a')
    expect(report.recipe?.grant).toBe(`secrets grant ${E}/worker --task ${family} --secret API_TOKEN --secret DB_PASSWORD --runtime nodejs`)
    expect(report.recipe?.removeVariables).toEqual(['app/DB_PASSWORD', 'sidecar/API_TOKEN'])
    const again = await runCli(['migrate', '--from-ecs', family, '--to', `${E}/worker`])
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('Migration: 4 items: 2 unchanged, 2 left in place (not secrets).')
    expect(again.stdout).toContain("remove these entries from the containers' environment, and let the application read them at run time with the module the grant prints")
    expect(again.stdout).toContain("(valueFrom: the secret's ARN) instead is the lesser step: ECS then sets each value as an environment variable of the container")
    // The grant runs as printed: the task role's policy and the module, not a Lambda handler.
    const printed = await runCli([...(report.recipe?.grant ?? '').split(' ').slice(1), '--account', '123456789012', '--region', 'us-east-1'])
    expect(printed.code, printed.stderr).toBe(0)
    expect(JSON.parse(printed.stdout).module).toContain("from '@aws-sdk/client-secrets-manager'")
    // A task role's policy has no Serverless form: --format serverless prints the CloudFormation grant.
    const serverless = await runCli(['migrate', '--from-ecs', family, '--to', `${E}/worker`, '--format', 'serverless', '--json'])
    expect(serverless.code).toBe(0)
    expect(json(serverless.stdout).recipe?.grant).toBe(`secrets grant ${E}/worker --task ${family} --secret API_TOKEN --secret DB_PASSWORD --format cloudformation --runtime nodejs`)
    expectNoValues([result.stdout, result.stderr, again.stdout, again.stderr], [...SECRET_VALUES, 'an-older-password-1'])
  })

  it('exits 3 for a family that does not exist, naming it and how to list the families', async () => {
    for (const json of [false, true]) {
      const result = await runCli(['migrate', '--from-ecs', `${family}-missing`, '--to', `${E}/worker`, ...(json ? ['--json'] : [])])
      // Before: exit 1, "Unexpected error from ecs:DescribeTaskDefinition on ...: ClientException."
      expect(result.code, result.stderr).toBe(3)
      const error = json ? (JSON.parse(result.stdout) as {error: {message: string; hint: string}}).error : {message: result.stderr, hint: result.stderr}
      expect(error.message).toContain(`Task definition family ${family}-missing was not found, or has no ACTIVE revision`)
      expect(error.hint).toContain('aws ecs list-task-definition-families --status ACTIVE')
    }
  })
})
