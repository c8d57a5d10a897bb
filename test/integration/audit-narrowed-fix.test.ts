/**
 * Audit's fix of a live role's policy, applied as printed: the `aws iam` command it prints is run
 * against the emulator, the audit is run again, and an IAM policy evaluator judges the policy the role
 * now holds. The function keeps its logs and the one secret its environment names; every other secret
 * is out of its reach.
 */
import {CreateRoleCommand, GetRolePolicyCommand, PutRolePolicyCommand} from '@aws-sdk/client-iam'
import {CreateFunctionCommand} from '@aws-sdk/client-lambda'
import {CreateSecretCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import {beforeAll, describe, expect, it} from 'vitest'

import {ACCOUNT, emulatorClients, REGION, tinyZip} from '../fixtures/audit-accounts.js'
import {evaluate} from '../fixtures/grant-evaluator.js'
import {runCli, useOwnEmulator} from '../helpers/cli.js'
import {useShell} from '../helpers/shell.js'

// An account-wide command: this file's own emulator.
const emulator = await useOwnEmulator()
const shell = useShell('audit-narrowed-fix')

interface AuditJson {
  findings: Array<{rule: string; resource: string; item?: string; fix: string; policyFix?: {command: string; document: {Statement: unknown[]}}}>
}

const LOG_GROUP = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/orders-api:log-stream:one`
const secrets: Record<string, string> = {}

beforeAll(async () => {
  const {lambda, iam} = emulatorClients(emulator.endpoint)
  const store = new SecretsManagerClient({endpoint: emulator.endpoint, region: REGION, credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'}})
  for (const name of ['prod/orders/db', 'prod/orders/other', 'prod/admin/root']) {
    const {ARN} = await store.send(new CreateSecretCommand({Name: name, SecretString: `value-of-${name}`}))
    secrets[name] = ARN!
  }

  const trust = JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Principal: {Service: 'lambda.amazonaws.com'}, Action: 'sts:AssumeRole'}]})
  const roles: Array<[string, object[]]> = [
    // Logs and one secret read in one statement, on everything: replacing it would take the logs away.
    ['orders-role', [{Effect: 'Allow', Action: ['logs:*', 'secretsmanager:GetSecretValue'], Resource: '*'}]],
    // A wildcard that may be creating or rotating secrets: kept, and fenced.
    ['ops-role', [{Sid: 'Manage', Effect: 'Allow', Action: ['secretsmanager:*', 'logs:CreateLogStream'], Resource: '*'}]],
  ]
  for (const [role, statements] of roles) {
    const {Role} = await iam.send(new CreateRoleCommand({RoleName: role, AssumeRolePolicyDocument: trust}))
    await iam.send(new PutRolePolicyCommand({RoleName: role, PolicyName: 'app', PolicyDocument: JSON.stringify({Version: '2012-10-17', Statement: statements})}))
    const name = role === 'orders-role' ? 'orders-api' : 'ops-rotator'
    const variables = {DB_SECRET_ARN: secrets['prod/orders/db'], LOG_LEVEL: 'info'}
    await lambda.send(new CreateFunctionCommand({FunctionName: name, Runtime: 'nodejs20.x', Role: Role!.Arn!, Handler: 'index.handler', Code: {ZipFile: tinyZip()}, Environment: {Variables: variables}}))
  }
}, 60_000)

/** Runs a printed command as a user's shell would; the AWS CLI v1 reads its region from AWS_DEFAULT_REGION alone. */
const runPrinted = (command: string) => shell.run(`AWS_DEFAULT_REGION=${REGION} ${command}`)

async function audit(): Promise<AuditJson> {
  const result = await runCli(['audit', '--only', 'iam', '--json'])
  expect(result.code, result.stderr).toBe(0)
  return JSON.parse(result.stdout) as AuditJson
}

async function policyOf(role: string): Promise<never> {
  const {iam} = emulatorClients(emulator.endpoint)
  const {PolicyDocument} = await iam.send(new GetRolePolicyCommand({RoleName: role, PolicyName: 'app'}))
  const text = PolicyDocument!.trim()
  return JSON.parse(text.startsWith('{') ? text : decodeURIComponent(text)) as never
}

describe("audit's fix of a role's policy, applied as printed", () => {
  it('prints an aws iam command that keeps the logs, reads only the named secret, and clears the finding', async () => {
    const before = await audit()
    const finding = before.findings.find((item) => item.resource === 'orders-role' && item.item === 'app')
    expect(finding?.rule).toBe('iam-all-secrets')
    const command = finding?.policyFix?.command ?? ''
    expect(command).toMatch(/^aws iam put-role-policy --role-name orders-role --policy-name app --policy-document '/)
    expect(finding?.fix).toContain(command)

    const applied = await runPrinted(command)
    expect(applied.code, applied.stderr).toBe(0)

    const after = await audit()
    expect(after.findings.filter((item) => item.resource === 'orders-role')).toEqual([])
    const policy = await policyOf('orders-role')
    expect(await evaluate(policy, 'logs:PutLogEvents', LOG_GROUP)).toBe('Allowed')
    expect(await evaluate(policy, 'secretsmanager:GetSecretValue', secrets['prod/orders/db'])).toBe('Allowed')
    expect(await evaluate(policy, 'secretsmanager:GetSecretValue', secrets['prod/orders/other'])).toBe('ImplicitlyDenied')
    expect(await evaluate(policy, 'secretsmanager:GetSecretValue', secrets['prod/admin/root'])).toBe('ImplicitlyDenied')
  })

  it('keeps secretsmanager:* for the work it does, with a Deny that leaves its reads to the named secret', async () => {
    const before = await audit()
    const finding = before.findings.find((item) => item.resource === 'ops-role' && item.item === 'app')
    const applied = await runPrinted(finding?.policyFix?.command ?? 'false')
    expect(applied.code, applied.stderr).toBe(0)

    const after = await audit()
    expect(after.findings.filter((item) => item.resource === 'ops-role')).toEqual([])
    const policy = await policyOf('ops-role')
    expect(await evaluate(policy, 'secretsmanager:RotateSecret', secrets['prod/orders/other'])).toBe('Allowed')
    expect(await evaluate(policy, 'logs:CreateLogStream', LOG_GROUP)).toBe('Allowed')
    expect(await evaluate(policy, 'secretsmanager:GetSecretValue', secrets['prod/orders/db'])).toBe('Allowed')
    expect(await evaluate(policy, 'secretsmanager:GetSecretValue', secrets['prod/orders/other'])).toBe('ExplicitlyDenied')
  })
})
