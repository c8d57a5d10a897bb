/**
 * The store command and the grant of each scan fix name the same secret: every concrete fix of the
 * scan corpus is run against the emulator (the value stored with `secrets set` from stdin, a Parameter
 * Store secret migrated, a referenced secret created first), then the grant's policy is evaluated on
 * the ARN of the secret that was written.
 */
import {CreateSecretCommand, DescribeSecretCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import {PutParameterCommand, SSMClient} from '@aws-sdk/client-ssm'
import {describe, expect, it} from 'vitest'

import type {PolicyDocument} from '../../src/core/iam-policy.js'
import type {ScanFinding} from '../../src/core/scan/findings.js'
import {evaluate} from '../fixtures/grant-evaluator.js'
import {ROOT, runCli, useOwnEmulator} from '../helpers/cli.js'
import {emulatorEnv} from '../helpers/emulator.js'
import {OFFLINE_ENV} from '../helpers/scan.js'

const emulator = await useOwnEmulator()
const env = emulatorEnv(emulator.endpoint)
const clientConfig = {endpoint: env.AWS_ENDPOINT_URL, region: env.AWS_REGION, credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'}}
const secretsManager = new SecretsManagerClient(clientConfig)
const ssm = new SSMClient(clientConfig)
const ACCOUNT = '123456789012'
const PLACEHOLDER = /\b(ENV|SERVICE|NAME|FUNCTION|STAGE)\b/

const flag = (words: string[], name: string) => (words.includes(name) ? words[words.indexOf(name) + 1] : undefined)

/** Writes what a fix's store command would read from, runs it, and returns the full name of the secret it wrote. */
async function store(command: string): Promise<string | undefined> {
  const words = command.split(' ')
  if (words[1] === 'set') {
    const result = await runCli(words.slice(1), {input: 'proof-value-from-stdin'})
    expect(result.code, `${command}: ${result.stderr}`).toBe(0)
    return `/${words[2]}/${words[3]}`
  }

  const path = flag(words, '--from-ssm')
  const only = flag(words, '--only')
  // A path still holding a Serverless variable names no parameter that could exist.
  if (words[1] !== 'migrate' || path === undefined || only === undefined || path.includes('$')) return undefined
  await ssm.send(new PutParameterCommand({Name: `${path}/${only}`, Value: 'proof-parameter-value', Type: 'SecureString', Overwrite: true}))
  const result = await runCli(words.slice(1))
  expect(result.code, `${command}: ${result.stderr}`).toBe(0)
  return `/${flag(words, '--to')}/${only}`
}

describe('the store command and the grant of each scan fix', () => {
  it('name the same secret: the grant, evaluated, allows the secret the store command wrote', async () => {
    const scan = await runCli(['scan', 'test/fixtures/scan', '--json'], {env: OFFLINE_ENV, cwd: ROOT})
    const {findings} = JSON.parse(scan.stdout) as {findings: ScanFinding[]}
    const pairs = new Map<string, {store?: string; grant: string}>()
    for (const {fix, area} of findings) {
      if (area !== 'env' || fix.grant === undefined) continue
      for (const grant of fix.grant.split('; ')) {
        if (PLACEHOLDER.test(grant) || (fix.store !== undefined && PLACEHOLDER.test(fix.store))) continue
        pairs.set(`${fix.store ?? ''} | ${grant}`, {...(fix.store ? {store: fix.store} : {}), grant})
      }
    }

    let proven = 0
    const written = new Map<string, string | undefined>()
    for (const {store: command, grant} of pairs.values()) {
      const words = grant.split(' ')
      const id = flag(words, '--id')
      let name: string | undefined
      if (command !== undefined) {
        if (!written.has(command)) written.set(command, await store(command))
        name = written.get(command)
      } else if (id !== undefined) {
        // A reference's secret is already in the store: create it as the template's author did.
        await secretsManager.send(new CreateSecretCommand({Name: id, SecretString: 'proof-referenced-value'})).catch(() => {})
        name = id
      }

      if (name === undefined) continue
      const format = words.indexOf('--format')
      const result = await runCli([...words.slice(1, format), '--format', 'json', '--account', ACCOUNT, '--region', env.AWS_REGION])
      expect(result.code, `${grant}: ${result.stderr}`).toBe(0)
      const {ARN: arn} = await secretsManager.send(new DescribeSecretCommand({SecretId: name}))
      expect(await evaluate(JSON.parse(result.stdout) as PolicyDocument, 'secretsmanager:GetSecretValue', arn as string), `${command ?? 'reference'} | ${grant}`).toBe('Allowed')
      proven++
    }

    expect(proven).toBeGreaterThanOrEqual(60)
  })
})
