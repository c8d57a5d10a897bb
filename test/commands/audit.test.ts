import {DeleteParameterCommand, PutParameterCommand} from '@aws-sdk/client-ssm'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type Emulator, startEmulator} from '../helpers/emulator.js'
import {runCli} from '../helpers/cli.js'
import {emulatorClients, PLANTED_VALUES, plantLookAlikes, plantMistakes} from '../fixtures/audit-accounts.js'

let mistakes: Emulator
let clean: Emulator
let plantedCount: number

beforeAll(async () => {
  ;[mistakes, clean] = await Promise.all([startEmulator(), startEmulator()])
  const [expected] = await Promise.all([plantMistakes(emulatorClients(mistakes.endpoint)), plantLookAlikes(emulatorClients(clean.endpoint))])
  plantedCount = expected.length
}, 120_000)

afterAll(async () => {
  await Promise.all([mistakes?.stop(), clean?.stop()])
})

/** Runs `secrets audit ...` against one of this file's emulators (the shared one holds other files' objects). */
const audit = (emulator: Emulator, args: string[]) => runCli(['audit', ...args], {env: {AWS_ENDPOINT_URL: emulator.endpoint}})

function expectNoPlantedValue(text: string): void {
  for (const value of PLANTED_VALUES) expect(text).not.toContain(value)
  expect(text).not.toMatch(/ghp_|PRIVATE KEY|postgres:\/\//)
}

describe('secrets audit', () => {
  it('prints one JSON document with every finding, and exits 0 without --fail-on', async () => {
    const result = await audit(mistakes, ['--json'])
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout)
    expect(report).toMatchObject({region: 'us-east-1', areas: ['env', 'ssm', 'iam'], failed: false, gaps: []})
    expect(report.counts.total).toBe(plantedCount)
    expect(report.findings[0]).toEqual(
      expect.objectContaining({area: 'env', rule: expect.any(String), severity: 'high', resource: expect.any(String), fix: expect.stringMatching(/^secrets /)}),
    )
    expectNoPlantedValue(result.stdout + result.stderr)
  })

  it('exits 7 with --fail-on high and still prints the JSON report, alone, on stdout', async () => {
    const result = await audit(mistakes, ['--json', '--fail-on', 'high'])
    expect(result.code).toBe(7)
    const report = JSON.parse(result.stdout)
    expect(report).toMatchObject({failOn: 'high', failed: true})
    expect(report.counts.total).toBe(plantedCount)
    expect(result.stderr).toBe('')
  })

  it('shows humans a table per mistake with counts, and says why it exits 7', async () => {
    const result = await audit(mistakes, ['--fail-on', 'medium'])
    expect(result.code).toBe(7)
    expect(result.stdout).toMatch(/^Secrets in environment variables: 7 \(7 high\)$/m)
    expect(result.stdout).toMatch(/^Secrets in Parameter Store: 4 \(3 high, 1 medium\)$/m)
    expect(result.stdout).toMatch(/^IAM that reads more secrets than it needs: 6 \(4 high, 2 medium\)$/m)
    expect(result.stdout).toMatch(/^SEVERITY +RESOURCE +VARIABLE +WHY +FIX$/m)
    expect(result.stdout).toContain('secrets migrate --from-ssm /prod/billing --to prod/billing --only DB_PASSWORD --delete-source')
    expect(result.stdout).toMatch(/17 findings \(14 high, 3 medium\) in 3 Lambda functions, 1 ECS task definition, 4 SSM parameters, 4 managed policies, 4 roles, 1 user, 0 secrets \(us-east-1\)\./)
    expect(result.stderr).toBe('17 findings at or above medium (--fail-on medium).\n')
    expectNoPlantedValue(result.stdout + result.stderr)
  })

  it('--quiet prints the summary line alone, and why it exits 7', async () => {
    const result = await audit(mistakes, ['--fail-on', 'medium', '--quiet'])
    expect(result.code).toBe(7)
    expect(result.stdout).toMatch(/^17 findings \(14 high, 3 medium\) in .*\(us-east-1\)\.\n$/)
    expect(result.stderr).toBe('17 findings at or above medium (--fail-on medium).\n')
  })

  it('inspects only what --only names', async () => {
    const result = await audit(mistakes, ['--only', 'ssm', '--json'])
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout)
    expect(report.areas).toEqual(['ssm'])
    expect(new Set(report.findings.map((item: {area: string}) => item.area))).toEqual(new Set(['ssm']))
    expect(report.inspected.lambdaFunctions).toBe(0)
  })

  it('does not fail on findings below the --fail-on threshold', async () => {
    const client = emulatorClients(clean.endpoint).ssm
    await client.send(new PutParameterCommand({Name: '/dev/tools/API_KEY', Value: 'dev-only-value', Type: 'SecureString'}))
    try {
      const high = await audit(clean, ['--only', 'ssm', '--fail-on', 'high', '--json'])
      expect(high.code).toBe(0)
      expect(JSON.parse(high.stdout)).toMatchObject({failed: false, counts: {medium: 1, total: 1}})
      expect((await audit(clean, ['--only', 'ssm', '--fail-on', 'medium', '--json'])).code).toBe(7)
    } finally {
      await client.send(new DeleteParameterCommand({Name: '/dev/tools/API_KEY'}))
    }
  })

  it('reports nothing on an account of look-alikes, even with --fail-on low', async () => {
    const result = await audit(clean, ['--fail-on', 'low'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^No findings in 2 Lambda functions, 1 ECS task definition, 6 SSM parameters, 2 managed policies, 2 roles, 1 user, 0 secrets \(us-east-1\)\.$/m)
    expect(result.stderr).toBe('')
  })

  it('refuses an unknown area or severity with exit 2', async () => {
    expect((await audit(clean, ['--only', 'kms'])).code).toBe(2)
    expect((await audit(clean, ['--fail-on', 'critical'])).code).toBe(2)
  })
})
