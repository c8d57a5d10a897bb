/**
 * Issue 21: a finding about a role names the Lambda functions and ECS task definitions that run as it
 * (ListFunctions' Role, task definitions' taskRoleArn), with one grant each for the secrets of its
 * own environment, in the environment the role's policy names.
 */
import {RegisterTaskDefinitionCommand} from '@aws-sdk/client-ecs'
import {CreateRoleCommand, PutRolePolicyCommand} from '@aws-sdk/client-iam'
import {CreateFunctionCommand} from '@aws-sdk/client-lambda'
import {beforeAll, describe, expect, it} from 'vitest'

import {emulatorClients, tinyZip} from '../fixtures/audit-accounts.js'
import {runCli, useOwnEmulator} from '../helpers/cli.js'

// An account-wide command: this file's own emulator.
const emulator = await useOwnEmulator()

interface AuditJson {
  findings: {rule: string; resourceType: string; resource: string; fix: string}[]
}

beforeAll(async () => {
  const {lambda, iam, ecs} = emulatorClients(emulator.endpoint)
  const trust = JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Principal: {Service: ['lambda.amazonaws.com', 'ecs-tasks.amazonaws.com']}, Action: 'sts:AssumeRole'}]})
  const {Role} = await iam.send(new CreateRoleCommand({RoleName: 'billing-lambda-role', AssumeRolePolicyDocument: trust}))
  // Every secret of prod: the finding's fix must narrow it to what each workload reads.
  const policy = {Version: '2012-10-17', Statement: [{Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:/prod/*'}]}
  await iam.send(new PutRolePolicyCommand({RoleName: 'billing-lambda-role', PolicyName: 'read-prod', PolicyDocument: JSON.stringify(policy)}))
  const create = (name: string, variables: Record<string, string>) =>
    lambda.send(new CreateFunctionCommand({FunctionName: name, Runtime: 'nodejs20.x', Role: Role!.Arn!, Handler: 'index.handler', Code: {ZipFile: tinyZip()}, Environment: {Variables: variables}}))
  await create('billing-api', {DB_PASSWORD: 'roles-pw-1', LOG_LEVEL: 'info'})
  await create('billing-cron', {LOG_LEVEL: 'info'})
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'billing-worker',
      taskRoleArn: Role!.Arn!,
      containerDefinitions: [{name: 'app', image: 'app:1', memory: 64, environment: [{name: 'API_TOKEN', value: 'tok-roles-2'}]}],
    }),
  )
}, 60_000)

describe("audit's fix for a role that workloads run as", () => {
  it('names each function and task definition using the role, one grant each, with the environment filled in', async () => {
    const result = await runCli(['audit', '--json'])
    expect(result.code, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout) as AuditJson
    const role = report.findings.filter((item) => item.resourceType === 'iam-role' && item.resource === 'billing-lambda-role')
    expect(role).toHaveLength(1)
    expect(role[0].fix).toBe(
      "nothing in the environment of function billing-api, function billing-cron, task definition billing-worker names the secrets billing-lambda-role reads (a secret's ARN, or its name in a *_SECRET_ARN, *_SECRET_ID or *_SECRET_NAME variable); " +
        'replace the statement (billing-lambda-role is used by function billing-api, function billing-cron, task definition billing-worker) with: ' +
        'secrets grant prod/billing-api --function billing-api --secret DB_PASSWORD; ' +
        'secrets grant prod/billing-cron --function billing-cron --secret NAME; ' +
        'secrets grant prod/billing-worker --function billing-worker --secret API_TOKEN (fill in NAME)',
    )
    expect(role[0].fix).not.toContain('--function billing-lambda-role')
    expect(role[0].fix).not.toMatch(/grant ENV\//)
    expect(result.stdout).not.toContain('roles-pw-1')
  })

  it('names them with --only iam too: the environments are read for the role map, their findings not reported', async () => {
    const all = JSON.parse((await runCli(['audit', '--json'])).stdout) as AuditJson
    const result = await runCli(['audit', '--only', 'iam', '--json'])
    expect(result.code, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout) as AuditJson
    const fixOf = (json: AuditJson) => json.findings.find((item) => item.resourceType === 'iam-role' && item.resource === 'billing-lambda-role')?.fix
    expect(fixOf(report)).toBe(fixOf(all))
    expect(report.findings.every((item) => item.resourceType.startsWith('iam-'))).toBe(true)
    expect(result.stdout).not.toContain('roles-pw-1')
  })
})
