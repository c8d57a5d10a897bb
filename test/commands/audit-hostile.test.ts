/**
 * An audit reads data anyone with write access to the account chose: policies written to stall a
 * backtracking matcher, and variable names holding terminal controls. Its own emulator: an audit looks
 * at the whole account.
 */
import {CreatePolicyCommand} from '@aws-sdk/client-iam'
import {RegisterTaskDefinitionCommand} from '@aws-sdk/client-ecs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {emulatorClients} from '../fixtures/audit-accounts.js'
import {runCli} from '../helpers/cli.js'
import {type Emulator, startEmulator} from '../helpers/emulator.js'

const STARS = '*'.repeat(30)
/** Clears the screen, retitles the window (OSC 0) and returns the cursor to the start of the line. */
const HOSTILE_NAME = 'DB_PASSWORD\u001B[2J\u001B]0;owned\u0007\r'

let emulator: Emulator

beforeAll(async () => {
  emulator = await startEmulator()
  const {ecs, iam} = emulatorClients(emulator.endpoint)
  const policy = (statement: object) => JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', ...statement}]})
  await Promise.all([
    iam.send(new CreatePolicyCommand({PolicyName: 'stall-action', PolicyDocument: policy({Action: `secretsmanager:${STARS}x`, Resource: '*'})})),
    iam.send(new CreatePolicyCommand({PolicyName: 'stall-notaction', PolicyDocument: policy({NotAction: `secretsmanager:${STARS}x`, Resource: 'arn:aws:s3:::bucket/*'})})),
    iam.send(
      new CreatePolicyCommand({
        PolicyName: 'stall-resource',
        PolicyDocument: policy({Action: 'secretsmanager:GetSecretValue', Resource: `arn:aws:${STARS}x:us-east-1:123456789012:secret:*`}),
      }),
    ),
    ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'hostile-prod',
        containerDefinitions: [{name: 'app', image: 'app:1', memory: 256, environment: [{name: HOSTILE_NAME, value: 'sup3r-secret-hostile-pw'}]}],
      }),
    ),
  ])
}, 60_000)

afterAll(async () => {
  await emulator?.stop()
})

describe('audit on hostile account data', () => {
  it('judges policies with 30 stars in Action, NotAction and a resource\'s service field, and finishes', async () => {
    // Before: the backtracking regex ran at 100 % CPU until the child was killed (exit null).
    const result = await runCli(['audit', '--only', 'iam', '--json', '--endpoint-url', emulator.endpoint], {timeoutMs: 50_000})
    expect(result.code, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout)
    // Action secretsmanager:***...x matches no action, so it grants no read; the NotAction one allows
    // everything but what matches it (GetSecretValue included) on an S3 ARN only: no secret either.
    expect(report.findings.map((finding: {resource: string}) => finding.resource)).not.toContain('stall-action')
    expect(report.inspected.iamManagedPolicies).toBeGreaterThanOrEqual(3)
  })

  it('shows an ECS variable name with terminal controls escaped, never raw', async () => {
    const result = await runCli(['audit', '--only', 'env', '--endpoint-url', emulator.endpoint])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain('DB_PASSWORD\\u{1b}[2J\\u{1b}]0;owned\\u{7}\\u{d}')
    // eslint-disable-next-line no-control-regex
    expect(result.stdout).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F]/)
    expect(result.stdout).not.toContain('sup3r-secret-hostile-pw')
  })
})
