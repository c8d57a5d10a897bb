/**
 * Issue 20: following the tool's own advice must never lose data. An account holds secrets beside
 * plain configuration under one path; every fix `secrets audit` prints is run exactly as printed, by a
 * shell, through the built CLI with no terminal. Afterwards every parameter that was not a finding is
 * still there with its value, every finding's value is in Secrets Manager, and a second audit finds
 * none of them.
 */
import {GetParametersByPathCommand, PutParameterCommand} from '@aws-sdk/client-ssm'
import {beforeAll, describe, expect, it} from 'vitest'

import {secretsManagerClient} from '../../src/aws/clients.js'
import {SecretsManagerStore} from '../../src/stores/secrets-manager-store.js'
import {runCli, useOwnEmulator} from '../helpers/cli.js'
import {useShell} from '../helpers/shell.js'
import {emulatorEnv} from '../helpers/emulator.js'
import {credentialShapes, emulatorClients} from '../fixtures/audit-accounts.js'

// An account-wide command: this file's own emulator, which no other test file writes to.
const emulator = await useOwnEmulator()
const shell = useShell('advice')

type Seeded = {name: string; value: string; type: 'String' | 'StringList' | 'SecureString'}

/** 15 parameters under /prod/billing, as in the issue: five secrets, ten pieces of configuration. */
const SECRETS: Seeded[] = [
  {name: '/prod/billing/SMTP_PASSWORD', value: 'smtp-pass-advice-1', type: 'SecureString'},
  {name: '/prod/billing/STRIPE_KEY', value: 'stripe-key-advice-2', type: 'SecureString'},
  {name: '/prod/billing/DB_PASSWORD', value: 'db-pass-advice-3', type: 'String'},
  {name: '/prod/billing/GITHUB', value: credentialShapes.githubToken(), type: 'String'},
  {name: '/prod/billing/db/REPLICA_PASSWORD', value: 'replica-pass-advice-4', type: 'String'},
]
const CONFIG: Seeded[] = [
  {name: '/prod/billing/DB_HOST', value: 'db.internal', type: 'String'},
  {name: '/prod/billing/DB_PORT', value: '5432', type: 'String'},
  {name: '/prod/billing/TIMEOUT_SECONDS', value: '30', type: 'String'},
  {name: '/prod/billing/queue/URL', value: 'https://sqs.us-east-1.amazonaws.com/123456789012/billing', type: 'String'},
  {name: '/prod/billing/LOG_LEVEL', value: 'info', type: 'String'},
  {name: '/prod/billing/REGIONS', value: 'us-east-1,eu-west-1', type: 'StringList'},
  {name: '/prod/billing/FEATURE_FLAGS', value: 'invoices,refunds,exports', type: 'StringList'},
  {name: '/prod/billing/DB_PASSWORD_SECRET_ARN', value: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:/prod/billing/DB', type: 'String'},
  {name: '/prod/billing/CURRENCY', value: 'EUR', type: 'String'},
  {name: '/prod/billing/db/NAME', value: 'billing', type: 'String'},
]

beforeAll(async () => {
  const {ssm} = emulatorClients(emulator.endpoint)
  for (const parameter of [...SECRETS, ...CONFIG]) {
    await ssm.send(new PutParameterCommand({Name: parameter.name, Value: parameter.value, Type: parameter.type}))
  }
}, 60_000)

async function parametersNow(): Promise<Map<string, string>> {
  const {ssm} = emulatorClients(emulator.endpoint)
  const found = new Map<string, string>()
  let token: string | undefined
  do {
    const page = await ssm.send(new GetParametersByPathCommand({Path: '/prod', Recursive: true, WithDecryption: true, NextToken: token, MaxResults: 10}))
    for (const parameter of page.Parameters ?? []) found.set(parameter.Name ?? '', parameter.Value ?? '')
    token = page.NextToken
  } while (token)
  return found
}

describe('running every fix secrets audit prints, exactly as printed', () => {
  it('moves exactly the findings and leaves every other parameter with its value', async () => {
    const first = await runCli(['audit'])
    expect(first.code).toBe(0)
    // The FIX column is the last one: a fix is the rest of its row, from the first `secrets `.
    const fixes = first.stdout
      .split('\n')
      .filter((line) => / secrets [a-z]+ /.test(line))
      .map((line) => line.slice(line.search(/ secrets [a-z]+ /) + 1).trimEnd())
    // One fix per finding, each naming its parameter: never a whole path.
    expect(fixes).toHaveLength(SECRETS.length)
    for (const fix of fixes) expect(fix).toMatch(/ --only \S+ --delete-source$/)

    for (const fix of fixes) {
      const result = await shell.run(fix)
      expect(result.code, `${fix}\n${result.stdout}\n${result.stderr}`).toBe(0)
    }

    const left = await parametersNow()
    expect(new Map([...left].sort())).toEqual(new Map(CONFIG.map((parameter) => [parameter.name, parameter.value] as const).sort()))

    process.env.AWS_CONFIG_FILE = '/dev/null'
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/dev/null'
    Object.assign(process.env, emulatorEnv(emulator.endpoint))
    const store = new SecretsManagerStore(await secretsManagerClient({}))
    const target = (name: string) => `/prod/billing/${name.split('/').at(-1)}`
    const {values} = await store.getMany(SECRETS.map((parameter) => target(parameter.name)))
    for (const parameter of SECRETS) expect(values.get(target(parameter.name))?.text).toBe(parameter.value)

    const second = await runCli(['audit', '--json'])
    expect(second.code).toBe(0)
    expect(JSON.parse(second.stdout).findings).toEqual([])

    // A fix run twice (a retried pipeline step) finds its parameter already migrated: exit 0.
    const again = await shell.run(fixes[0])
    expect(again.code, again.stderr).toBe(0)
    expect(again.stderr).toContain('migrated earlier')
  })
})
