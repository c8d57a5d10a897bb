import {describe, expect, it} from 'vitest'

import {AUDIT_AREAS} from '../../src/core/audit/findings.js'
import {AccessDeniedError} from '../../src/core/errors.js'
import {nothingInspected, runAudit} from '../../src/services/audit.js'
import {
  MemoryAccount,
  memoryAuditReaders,
  MemoryEcsReader,
  MemoryIamReader,
  MemoryIdentityReader,
  MemoryLambdaReader,
  MemoryPermissionProbes,
  MemorySecretPolicyReader,
  MemorySsmInventoryReader,
} from './memory-readers.js'
import {type ReaderWorld, readerContract} from './readers-contract.js'

function memoryWorld(): ReaderWorld {
  const account = new MemoryAccount()
  return {
    account: account.account,
    region: 'us-east-1',
    readers: {
      lambda: new MemoryLambdaReader(account),
      ecs: new MemoryEcsReader(account),
      ssm: new MemorySsmInventoryReader(account),
      iam: new MemoryIamReader(account),
      secretPolicies: new MemorySecretPolicyReader(account),
      identity: new MemoryIdentityReader(account),
      probes: new MemoryPermissionProbes(account),
    },
    plant: {
      async lambdaFunction(name, variables, packaging = {runtime: 'nodejs20.x'}) {
        account.functions.set(name, {name, variables: {...variables}, ...('runtime' in packaging ? {runtime: packaging.runtime} : {})})
      },
      async taskDefinition(family, containers) {
        const revisions = account.taskDefinitions.get(family) ?? []
        revisions.push({family, revision: revisions.length + 1, containers: structuredClone(containers)})
        account.taskDefinitions.set(family, revisions)
      },
      async parameter(name, type, value) {
        account.parameters.set(name, {type, value})
      },
      async managedPolicy(name, documents) {
        const arn = `arn:aws:iam::${account.account}:policy/${name}`
        account.managedPolicies.set(arn, {name, versions: documents.map((document, index) => ({document, isDefault: index === documents.length - 1}))})
        return arn
      },
      async role(name, inlinePolicies, attachedPolicyArns) {
        account.roles.set(name, {inlinePolicies, attachedPolicyArns})
      },
      async user(name, inlinePolicies, attachedPolicyArns) {
        account.users.set(name, {inlinePolicies, attachedPolicyArns})
      },
      async group(name, inlinePolicies, attachedPolicyArns, members) {
        account.groups.set(name, {inlinePolicies, attachedPolicyArns, members})
      },
      async secret(name) {
        account.secrets.add(name)
      },
      async secretPolicy(name, document) {
        account.secretPolicies.set(name, document)
      },
    },
  }
}

readerContract('memory fakes', async () => memoryWorld())

describe('the memory fakes, where the emulator cannot follow', () => {
  it('answer a denied action as a translated AWS denial: AccessDeniedError with the SDK error name', async () => {
    const account = new MemoryAccount().deny('ssm:GetParameters')
    const error = await new MemorySsmInventoryReader(account).values(['/x']).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(AccessDeniedError)
    expect((error as AccessDeniedError).aws).toMatchObject({name: 'AccessDeniedException'})
  })

  it('let a service be tested with no SDK at all: a denied Lambda listing is a gap, the rest is audited', async () => {
    const account = new MemoryAccount().deny('lambda:ListFunctions')
    account.functions.set('billing', {name: 'billing', variables: {DB_PASSWORD: 'hunter2-prod-db'}})
    account.parameters.set('/prod/billing/DB_PASSWORD', {type: 'SecureString', value: 'x'})
    const report = await runAudit(memoryAuditReaders(account), {areas: AUDIT_AREAS})
    expect(report.gaps).toEqual([{area: 'env', action: 'lambda:ListFunctions', reason: 'access denied (AccessDeniedException)'}])
    expect(report.inspected).toMatchObject({lambdaFunctions: 0, ssmParameters: 1})
    expect(report.findings.map((finding) => finding.resourceType)).toEqual(['ssm-parameter'])
    expect(nothingInspected(report)).toBe(false)
  })

  it("audit reads each secret's resource policy: an open one is reported, a conditioned one and a principal of the own account are not", async () => {
    const account = new MemoryAccount()
    const policy = (statement: object) => JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*', ...statement}]})
    for (const name of ['/prod/api/OPEN', '/prod/api/ORG_ONLY', '/prod/api/OWN', '/prod/api/NONE']) account.secrets.add(name)
    account.secretPolicies.set('/prod/api/OPEN', policy({Principal: '*'}))
    account.secretPolicies.set('/prod/api/ORG_ONLY', policy({Principal: '*', Condition: {StringEquals: {'aws:PrincipalOrgID': 'o-abc123'}}}))
    account.secretPolicies.set('/prod/api/OWN', policy({Principal: {AWS: `arn:aws:iam::${account.account}:role/app`}}))
    const report = await runAudit(memoryAuditReaders(account), {areas: ['iam']})
    expect(report.findings.map((item) => [item.rule, item.resourceType, item.resource])).toEqual([['secret-policy-public', 'secretsmanager-secret', '/prod/api/OPEN']])
    expect(report.findings[0].fix).toContain('aws secretsmanager delete-resource-policy --secret-id /prod/api/OPEN')
    expect(report.inspected.secrets).toBe(4)
    expect(report.gaps).toEqual([])
  })

  it('states a denied GetResourcePolicy as a gap: once when every secret is denied, per secret when some are', async () => {
    const account = new MemoryAccount().deny('secretsmanager:GetResourcePolicy')
    account.secrets.add('/prod/api/A')
    account.secrets.add('/prod/api/B')
    account.secretPolicies.set('/prod/api/A', JSON.stringify({Statement: [{Effect: 'Allow', Principal: '*', Action: '*', Resource: '*'}]}))
    const report = await runAudit(memoryAuditReaders(account), {areas: ['iam']})
    expect(report.findings).toEqual([])
    expect(report.gaps).toEqual([{area: 'iam', action: 'secretsmanager:GetResourcePolicy', reason: 'access denied (AccessDeniedException) on all 2 secrets'}])
    expect(report.inspected.secrets).toBe(0)

    const some = new MemoryAccount().deny('secretsmanager:GetResourcePolicy /prod/api/A')
    some.secrets.add('/prod/api/A')
    some.secrets.add('/prod/api/B')
    const partial = await runAudit(memoryAuditReaders(some), {areas: ['iam']})
    expect(partial.gaps).toEqual([{area: 'iam', action: 'secretsmanager:GetResourcePolicy', resource: '/prod/api/A', reason: 'access denied (AccessDeniedException)'}])
    expect(partial.inspected.secrets).toBe(1)
  })
})
