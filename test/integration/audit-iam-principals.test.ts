/**
 * audit judges what IAM users and groups can read: their inline policies, the AWS managed policies
 * attached to them (AmazonSSMReadOnlyAccess reads every SecureString), and SSM reads as secret reads.
 * Their fix scopes the policy: a user is not a function, so no `grant --function` for it.
 */
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachUserPolicyCommand,
  CreateGroupCommand,
  CreateUserCommand,
  PutGroupPolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam'
import {beforeAll, describe, expect, it} from 'vitest'

import {emulatorClients} from '../fixtures/audit-accounts.js'
import {runCli, useOwnEmulator} from '../helpers/cli.js'

// An account-wide command: this file's own emulator, with AWS managed policies to attach.
const emulator = await useOwnEmulator({awsManagedPolicies: true})

interface AuditJson {
  findings: Array<{rule: string; resourceType: string; resource: string; item?: string; detail: string; fix: string}>
  inspected: Record<string, number>
}

const document = (...Statement: object[]) => JSON.stringify({Version: '2012-10-17', Statement})

beforeAll(async () => {
  const {iam} = emulatorClients(emulator.endpoint)
  await iam.send(new CreateUserCommand({UserName: 'ci-deployer'}))
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'ci-deployer',
      PolicyName: 'prod-parameters',
      PolicyDocument: document({Effect: 'Allow', Action: 'ssm:GetParametersByPath', Resource: 'arn:aws:ssm:us-east-1:123456789012:parameter/prod/*'}),
    }),
  )
  // Scoped to one secret: not a finding.
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'ci-deployer',
      PolicyName: 'one-secret',
      PolicyDocument: document({Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:/prod/ci/TOKEN-??????'}),
    }),
  )
  await iam.send(new AttachUserPolicyCommand({UserName: 'ci-deployer', PolicyArn: 'arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess'}))
  await iam.send(new CreateUserCommand({UserName: 'alice'}))
  await iam.send(new CreateGroupCommand({GroupName: 'developers'}))
  await iam.send(
    new PutGroupPolicyCommand({
      GroupName: 'developers',
      PolicyName: 'everything',
      PolicyDocument: document({Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*'}, {Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*'}),
    }),
  )
  // Reads nothing secret: not a finding.
  await iam.send(new AttachGroupPolicyCommand({GroupName: 'developers', PolicyArn: 'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess'}))
  await iam.send(new AddUserToGroupCommand({GroupName: 'developers', UserName: 'alice'}))
}, 120_000)

describe('audit of IAM users and groups', () => {
  it("reports a user's and a group's inline policies and an AmazonSSMReadOnlyAccess attachment, each fixed by scoping the policy", async () => {
    const result = await runCli(['audit', '--only', 'iam', '--json'])
    expect(result.code, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout) as AuditJson
    expect(report.inspected).toMatchObject({iamUsers: 2, iamGroups: 1})
    expect(report.findings.map((item) => [item.rule, item.resourceType, item.resource, item.item])).toEqual([
      ['iam-all-secrets', 'iam-user', 'ci-deployer', 'AmazonSSMReadOnlyAccess'],
      ['iam-all-secrets', 'iam-group', 'developers', 'everything'],
      ['iam-whole-environment', 'iam-user', 'ci-deployer', 'prod-parameters'],
    ])
    const [managed, group, inline] = report.findings
    expect(group.detail).toBe(
      "Allow secretsmanager:GetSecretValue on * (statement #1); with kms:Decrypt on * (statement #2), which decrypts every key's ciphertext, customer managed keys included; its members: alice",
    )
    expect(group.fix).toMatch(/^a group is not a function \(no grant\): scope the statement of group developers to the secrets it reads/)
    expect(managed.detail).toMatch(/^AmazonSSMReadOnlyAccess \(AWS managed\) allows ssm:Get\* .* on every parameter, SecureStrings included/)
    expect(managed.fix).toMatch(/^a user is not a function \(no grant\): detach AmazonSSMReadOnlyAccess from user ci-deployer/)
    expect(inline.detail).toMatch(/^Allow ssm:GetParametersByPath on .*parameter\/prod\/\* \(statement #1\): SecureString parameters are secrets/)
    expect(result.stdout).not.toContain('--function')
  })

  it('names the group in the text report', async () => {
    const result = await runCli(['audit', '--only', 'iam'])
    expect(result.stdout).toContain('group:developers')
    expect(result.stdout).toMatch(/2 users, 1 group, 0 secrets \(us-east-1\)/)
  })
})
