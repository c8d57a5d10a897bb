import {DescribeTaskDefinitionCommand, ECSClient, ListTaskDefinitionFamiliesCommand} from '@aws-sdk/client-ecs'
import {GetAccountAuthorizationDetailsCommand, IAMClient} from '@aws-sdk/client-iam'
import {LambdaClient, ListFunctionsCommand} from '@aws-sdk/client-lambda'
import {DescribeParametersCommand, GetParametersCommand, SSMClient} from '@aws-sdk/client-ssm'
import {mockClient} from 'aws-sdk-client-mock'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {AUDIT_AREAS} from '../../src/core/audit/findings.js'
import {AccessDeniedError, UnavailableError} from '../../src/core/errors.js'
import {nothingInspected, runAudit} from '../../src/services/audit.js'
import {type Emulator, startEmulator} from '../helpers/emulator.js'
import {auditReadersOf, emulatorClients, type EmulatorClients, plantMistakes} from '../fixtures/audit-accounts.js'

const config = {region: 'us-east-1', credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'}}

/** What AWS answers when the caller's policy does not allow the action. */
function denied(action: string): Error {
  return Object.assign(new Error(`User is not authorized to perform: ${action}`), {
    name: 'AccessDeniedException',
    $fault: 'client',
    $metadata: {httpStatusCode: 403},
  })
}

let emulator: Emulator
let real: EmulatorClients

beforeAll(async () => {
  emulator = await startEmulator()
  real = emulatorClients(emulator.endpoint)
  await plantMistakes(real)
}, 120_000)

afterAll(async () => {
  await emulator?.stop()
})

const areasOf = (findings: Array<{area: string}>) => new Set(findings.map((item) => item.area))

describe('an API the caller may not call', () => {
  it('Lambda denied: a gap for lambda:ListFunctions, and ECS, SSM and IAM are still audited', async () => {
    const lambda = new LambdaClient(config)
    mockClient(lambda).on(ListFunctionsCommand).rejects(denied('lambda:ListFunctions'))
    const report = await runAudit(auditReadersOf({...real, lambda}), {areas: AUDIT_AREAS})
    expect(report.gaps).toEqual([{area: 'env', action: 'lambda:ListFunctions', reason: 'access denied (AccessDeniedException)'}])
    expect(report.findings.some((item) => item.resourceType === 'lambda-function')).toBe(false)
    expect(report.findings.some((item) => item.resourceType === 'ecs-task-definition')).toBe(true)
    expect(areasOf(report.findings)).toEqual(new Set(['env', 'ssm', 'iam']))
    expect(nothingInspected(report)).toBe(false)
  })

  it('IAM denied: a gap for iam:GetAccountAuthorizationDetails, and the rest still runs', async () => {
    const iam = new IAMClient(config)
    mockClient(iam).on(GetAccountAuthorizationDetailsCommand).rejects(denied('iam:GetAccountAuthorizationDetails'))
    const report = await runAudit(auditReadersOf({...real, iam}), {areas: AUDIT_AREAS})
    expect(report.gaps.map((gap) => gap.action)).toEqual(['iam:GetAccountAuthorizationDetails'])
    expect(areasOf(report.findings)).toEqual(new Set(['env', 'ssm']))
  })

  it('GetParameters denied: String parameters are judged by their names, SecureStrings still reported, values judged nowhere', async () => {
    const ssm = new SSMClient(config)
    const mock = mockClient(ssm)
    mock.on(DescribeParametersCommand).callsFake((input) => real.ssm.send(new DescribeParametersCommand(input)))
    mock.on(GetParametersCommand).rejects(denied('ssm:GetParameters'))
    const report = await runAudit(auditReadersOf({ssm}), {areas: ['ssm'], concurrency: 1})
    expect(report.gaps).toEqual([{area: 'ssm', action: 'ssm:GetParameters', reason: 'access denied (AccessDeniedException)'}])
    expect(report.findings.map((item) => `${item.rule} ${item.resource}`).sort()).toEqual([
      'ssm-plaintext-secret /prod/billing/DB_PASSWORD',
      'ssm-plaintext-secret /prod/billing/tokens',
      'ssm-secure-string /prod/billing/STRIPE_KEY',
    ])
  })

  it('one task definition family denied: a gap naming it, the other family still inspected', async () => {
    const ecs = new ECSClient(config)
    const mock = mockClient(ecs)
    mock.on(ListTaskDefinitionFamiliesCommand).resolves({families: ['secret-family', 'web-prod']})
    mock.on(DescribeTaskDefinitionCommand, {taskDefinition: 'secret-family'}).rejects(denied('ecs:DescribeTaskDefinition'))
    mock.on(DescribeTaskDefinitionCommand, {taskDefinition: 'web-prod'}).callsFake((input) => real.ecs.send(new DescribeTaskDefinitionCommand(input)))
    const report = await runAudit(auditReadersOf({ecs}), {areas: ['env']})
    expect(report.gaps).toEqual([
      {area: 'env', action: 'ecs:DescribeTaskDefinition', resource: 'secret-family', reason: 'access denied (AccessDeniedException)'},
    ])
    expect(report.inspected.ecsTaskDefinitions).toBe(1)
    expect(report.findings.map((item) => item.item).sort()).toEqual(['app/DB_PASSWORD', 'sidecar/API_KEY'])
  })

  it('variables the caller may not decrypt are a gap for that function', async () => {
    const lambda = new LambdaClient(config)
    mockClient(lambda)
      .on(ListFunctionsCommand)
      .resolves({Functions: [{FunctionName: 'kms-locked', Environment: {Error: {ErrorCode: 'AccessDeniedException', Message: 'Lambda was unable to decrypt'}}}]})
    const report = await runAudit(auditReadersOf({lambda}), {areas: ['env']})
    expect(report.gaps).toEqual([{area: 'env', action: 'kms:Decrypt', resource: 'kms-locked', reason: 'environment not readable (AccessDeniedException)'}])
  })

  it('everything denied: the report says nothing was inspected', async () => {
    const lambda = new LambdaClient(config)
    const ecs = new ECSClient(config)
    const ssm = new SSMClient(config)
    const iam = new IAMClient(config)
    mockClient(lambda).on(ListFunctionsCommand).rejects(denied('lambda:ListFunctions'))
    mockClient(ecs).on(ListTaskDefinitionFamiliesCommand).rejects(denied('ecs:ListTaskDefinitionFamilies'))
    mockClient(ssm).on(DescribeParametersCommand).rejects(denied('ssm:DescribeParameters'))
    mockClient(iam).on(GetAccountAuthorizationDetailsCommand).rejects(denied('iam:GetAccountAuthorizationDetails'))
    const report = await runAudit(auditReadersOf({lambda, ecs, ssm, iam}), {areas: AUDIT_AREAS})
    expect(report.findings).toEqual([])
    expect(report.gaps).toHaveLength(4)
    expect(nothingInspected(report)).toBe(true)
  })
})

describe('failures that are not a permission', () => {
  it('throttling after the retries stops the audit with exit 6 instead of a silent gap', async () => {
    const ssm = new SSMClient(config)
    mockClient(ssm)
      .on(DescribeParametersCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), {name: 'ThrottlingException', $metadata: {httpStatusCode: 400, attempts: 8}}))
    await expect(runAudit(auditReadersOf({ssm}), {areas: ['ssm']})).rejects.toBeInstanceOf(UnavailableError)
  })

  it('missing credentials stop the audit with exit 5 instead of reporting every API as a gap', async () => {
    const iam = new IAMClient(config)
    mockClient(iam)
      .on(GetAccountAuthorizationDetailsCommand)
      .rejects(Object.assign(new Error('Could not load credentials from any providers'), {name: 'CredentialsProviderError'}))
    const error = await runAudit(auditReadersOf({iam}), {areas: ['iam']}).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(AccessDeniedError)
    expect((error as AccessDeniedError).exitCode).toBe(5)
  })
})
