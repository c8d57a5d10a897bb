/**
 * A Stripe live key in a function's environment, under a name that does not say secret: audit reports
 * it, and its one fix for the function moves it with the function's other secret; scan reports the
 * same line in a SAM template. Before, both said nothing of it, and following audit's fix left the key
 * in place.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {CreateRoleCommand} from '@aws-sdk/client-iam'
import {CreateFunctionCommand} from '@aws-sdk/client-lambda'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli, useOwnEmulator} from '../helpers/cli.js'
import {OFFLINE_ENV} from '../helpers/scan.js'
import {emulatorClients, tinyZip} from '../fixtures/audit-accounts.js'
import {stripeLiveKey} from '../fixtures/credential-formats.js'

// An account-wide command: this file's own emulator, which no other test file writes to.
const emulator = await useOwnEmulator()

const STRIPE_KEY = stripeLiveKey()
const BILLING = {STRIPE_KEY, DB_PASSWORD: 'hunter2-billing-db', LOG_LEVEL: 'info'}
const dir = mkdtempSync(join(tmpdir(), 'audit-formats-'))

beforeAll(async () => {
  const {lambda, iam} = emulatorClients(emulator.endpoint)
  const trust = JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Principal: {Service: 'lambda.amazonaws.com'}, Action: 'sts:AssumeRole'}]})
  const {Role} = await iam.send(new CreateRoleCommand({RoleName: 'billing-role', AssumeRolePolicyDocument: trust}))
  await lambda.send(
    new CreateFunctionCommand({FunctionName: 'billing-prod', Runtime: 'nodejs20.x', Role: Role!.Arn!, Handler: 'index.handler', Code: {ZipFile: tinyZip()}, Environment: {Variables: BILLING}}),
  )
}, 60_000)

afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('a Stripe live key under a neutral name', () => {
  it('is reported by audit, and the printed fix for its function moves it with the function\'s other secret', async () => {
    const json = await runCli(['audit', '--only', 'env', '--json'])
    expect(json.code).toBe(0)
    const report = JSON.parse(json.stdout) as {findings: Array<{rule: string; resource: string; item: string; detail: string}>}
    expect(report.findings.map((item) => `${item.rule} ${item.resource} ${item.item}`).sort()).toEqual([
      'env-secret-name billing-prod DB_PASSWORD',
      'env-secret-value billing-prod STRIPE_KEY',
    ])
    expect(report.findings.find((item) => item.item === 'STRIPE_KEY')?.detail).toBe('value matches credential-format: STRIPE_SECRET_KEY')

    const text = await runCli(['audit', '--only', 'env'])
    expect(text.code).toBe(0)
    expect(text.stdout).toContain(
      "secrets migrate --from-lambda billing-prod --to prod/billing && secrets grant prod/billing --function billing-prod --secret DB_PASSWORD --secret STRIPE_KEY --runtime nodejs  # then remove DB_PASSWORD, STRIPE_KEY from billing-prod's environment",
    )
    for (const output of [json.stdout, json.stderr, text.stdout, text.stderr]) expect(output).not.toContain(STRIPE_KEY.slice(8))
  })

  it('is reported by scan in a SAM template, and never printed', async () => {
    const template = join(dir, 'template.yaml')
    writeFileSync(
      template,
      [
        "AWSTemplateFormatVersion: '2010-09-09'",
        'Transform: AWS::Serverless-2016-10-31',
        'Resources:',
        '  BillingFunction:',
        '    Type: AWS::Serverless::Function',
        '    Properties:',
        '      FunctionName: billing-prod',
        '      Handler: index.handler',
        '      Environment:',
        '        Variables:',
        `          STRIPE_KEY: ${STRIPE_KEY}`,
        '          LOG_LEVEL: info',
        '',
      ].join('\n'),
    )
    const result = await runCli(['scan', template, '--json'], {env: OFFLINE_ENV, cwd: dir})
    expect(result.code).toBe(7)
    const report = JSON.parse(result.stdout) as {findings: Array<{rule: string; variable: string; line: number}>}
    expect(report.findings.map((item) => `${item.rule} ${item.variable} ${item.line}`)).toEqual(['env-secret-value STRIPE_KEY 11'])
    expect(result.stdout + result.stderr).not.toContain(STRIPE_KEY.slice(8))
  })
})
