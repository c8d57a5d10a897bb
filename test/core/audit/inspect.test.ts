import {describe, expect, it} from 'vitest'

import {inspectLambdaFunction, inspectParameter, inspectParameters, inspectTaskDefinition, judgeParameters, parameterNeedsValue} from '../../../src/core/audit/inspect.js'
import {inspectIam} from '../../../src/core/audit/inspect-iam.js'
import {scanManyForSecrets} from '../../../src/core/audit/secret-scan.js'

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:'
const policy = (...Statement: object[]) => encodeURIComponent(JSON.stringify({Version: '2012-10-17', Statement}))
const read = (Resource: string | string[]) => ({Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource})

describe('inspecting workloads', () => {
  it('reports each secret variable of a function, never its value', async () => {
    const findings = await inspectLambdaFunction(
      {name: 'prod-checkout', variables: {DB_PASSWORD: 'hunter2hunter2', LOG_LEVEL: 'info', API_KEY_ARN: `${ARN}/prod/checkout/API_KEY-AbCdEf`}},
      scanManyForSecrets,
    )
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({rule: 'env-secret-name', severity: 'high', resource: 'prod-checkout', item: 'DB_PASSWORD'})
    expect(JSON.stringify(findings)).not.toContain('hunter2')
  })

  it.each([
    ['python3.12', '--secret DB_PASSWORD --runtime python  #', undefined],
    ['java21', '--secret DB_PASSWORD  #', 'no handler is printed for java21'],
  ])("grants a %s function's secrets, and its slots, for the function's own runtime", async (runtime, grant, note) => {
    const findings = await inspectLambdaFunction({name: 'prod-checkout', variables: {DB_PASSWORD: 'hunter2hunter2', API_KEY: '<your key>'}, runtime}, scanManyForSecrets)
    const fixes = Object.fromEntries(findings.map((item) => [item.item, item.fix]))
    expect(fixes.DB_PASSWORD).toContain(grant)
    expect(fixes.API_KEY).toContain(grant.replace('DB_PASSWORD', 'API_KEY'))
    for (const fix of Object.values(fixes)) {
      expect(fix).not.toContain('--runtime nodejs')
      if (note === undefined) expect(fix).not.toContain('python: --runtime python')
      else expect(fix).toContain(note)
    }
  })

  it('judges ECS environment entries by container', async () => {
    const findings = await inspectTaskDefinition(
      {family: 'web', revision: 3, containers: [{name: 'app', environment: [{name: 'DB_PASSWORD', value: 'p4ssw0rd!'}, {name: 'PORT', value: '8080'}]}]},
      scanManyForSecrets,
    )
    expect(findings.map((item) => [item.resource, item.item])).toEqual([['web:3', 'app/DB_PASSWORD']])
  })
})

describe('inspecting parameters', () => {
  it('reports exactly the parameters judgeParameters (migrate --secrets-only) calls secrets, and says why the rest are not', async () => {
    const parameters = [
      {name: '/prod/billing/SMTP_PASSWORD', type: 'SecureString'},
      {name: '/prod/billing/DB_PASSWORD', type: 'String', value: 'plain-password-1'},
      {name: '/prod/billing/DB_PASSWORD_ARN', type: 'String', value: `${ARN}/prod/billing/DB-AbCdEf`},
      {name: '/prod/billing/DB_PORT', type: 'String', value: '5432'},
      {name: '/prod/billing/HOSTS', type: 'StringList', value: 'a.internal,b.internal'},
      {name: '/prod/billing/API_TOKEN', type: 'String'},
    ]
    const [verdicts, findings] = await Promise.all([judgeParameters(parameters, scanManyForSecrets), inspectParameters(parameters, scanManyForSecrets)])
    const secrets = parameters.filter((_, index) => verdicts[index].secret).map((parameter) => parameter.name)
    expect(findings.map((item) => item.resource)).toEqual(secrets)
    expect(secrets).toEqual(['/prod/billing/SMTP_PASSWORD', '/prod/billing/DB_PASSWORD', '/prod/billing/API_TOKEN'])
    expect(verdicts[2]).toEqual({secret: false, detail: 'the value is an ARN (a reference)'})
    expect(verdicts[3]).toEqual({secret: false, detail: 'the value is a short number (a setting)'})
  })

  it.each([
    [{name: '/prod/billing/DB_PASSWORD', type: 'String', value: 'hunter2hunter2'}, 'ssm-plaintext-secret'],
    [{name: '/prod/billing/DB_PASSWORD', type: 'String'}, 'ssm-plaintext-secret'],
    [{name: '/prod/billing/database', type: 'StringList', value: 'postgres://app:S3cretPassw0rd@db:5432/app,x'}, 'ssm-plaintext-secret'],
    [{name: '/prod/billing/DB_PASSWORD', type: 'SecureString'}, 'ssm-secure-string'],
    [{name: '/prod/billing/DB_PASSWORD', type: 'String', value: '{{resolve:secretsmanager:/prod/billing/DB_PASSWORD}}'}, undefined],
    [{name: '/prod/billing/LOG_LEVEL', type: 'String', value: 'debug'}, undefined],
    [{name: '/prod/billing/hosts', type: 'StringList', value: 'a.example.com,b.example.com'}, undefined],
  ])('%j', async (parameter, rule) => {
    expect((await inspectParameter(parameter, scanManyForSecrets))?.rule).toBe(rule)
  })

  it('reads String and StringList values, never a SecureString', () => {
    expect(parameterNeedsValue({type: 'String'})).toBe(true)
    expect(parameterNeedsValue({type: 'StringList'})).toBe(true)
    expect(parameterNeedsValue({type: 'SecureString'})).toBe(false)
  })
})

describe('inspecting IAM', () => {
  it('reports managed, role and user policies, and roles that span environments', () => {
    const {findings, unreadable} = inspectIam({
      managedPolicies: [
        {arn: 'arn:aws:iam::123456789012:policy/prod-all', name: 'prod-all', document: policy(read(`${ARN}/prod/*`)), attachedTo: ['ops']},
        {arn: 'arn:aws:iam::123456789012:policy/api-prod', name: 'api-prod', document: policy(read(`${ARN}/prod/api/*`)), attachedTo: ['api']},
        {arn: 'arn:aws:iam::123456789012:policy/api-staging', name: 'api-staging', document: policy(read(`${ARN}/staging/api/*`)), attachedTo: ['api']},
      ],
      roles: [
        {name: 'ops', inlinePolicies: [{name: 'everything', document: policy(read('*'))}], attachedPolicyArns: ['arn:aws:iam::123456789012:policy/prod-all']},
        {name: 'api', inlinePolicies: [], attachedPolicyArns: ['arn:aws:iam::123456789012:policy/api-prod', 'arn:aws:iam::123456789012:policy/api-staging']},
        {name: 'scoped', inlinePolicies: [{name: 'ok', document: policy(read(`${ARN}/prod/api/DB_PASS-??????`))}], attachedPolicyArns: []},
      ],
      users: [{name: 'ci', inlinePolicies: [{name: 'two-envs', document: policy(read([`${ARN}/prod/api/*`, `${ARN}/dev/api/*`]))}]}],
    })
    expect(unreadable).toEqual([])
    expect(findings.map((item) => [item.rule, item.resource, item.item])).toEqual([
      ['iam-whole-environment', 'arn:aws:iam::123456789012:policy/prod-all', undefined],
      ['iam-all-secrets', 'ops', 'everything'],
      ['iam-role-spans-environments', 'api', undefined],
      ['iam-multiple-environments', 'ci', 'two-envs'],
    ])
  })

  it("reports users' and groups' inline and attached policies, and their fixes scope the policy: a user is not a function", () => {
    const ssmRead = (Resource: string) => ({Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:GetParametersByPath'], Resource})
    const {findings} = inspectIam({
      managedPolicies: [
        {arn: 'arn:aws:iam::123456789012:policy/ci-prod', name: 'ci-prod', document: policy(read(`${ARN}/prod/*`)), attachedTo: ['ci']},
      ],
      roles: [{name: 'orders-prod', inlinePolicies: [], attachedPolicyArns: ['arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore']}],
      users: [
        {name: 'ci', inlinePolicies: [], attachedPolicyArns: ['arn:aws:iam::123456789012:policy/ci-prod', 'arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess'], groups: []},
        {name: 'alice', inlinePolicies: [], attachedPolicyArns: [], groups: ['developers']},
        {name: 'bob', inlinePolicies: [], attachedPolicyArns: ['arn:aws:iam::aws:policy/job-function/ViewOnlyAccess'], groups: ['developers']},
      ],
      groups: [
        {
          name: 'developers',
          inlinePolicies: [
            {name: 'parameters', document: policy(ssmRead('arn:aws:ssm:*:*:parameter/*'), {Sid: 'Keys', Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*'})},
            {name: 'one-parameter', document: policy(ssmRead('arn:aws:ssm:us-east-1:123456789012:parameter/dev/api/DB_HOST'))},
          ],
          attachedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
        },
      ],
    })
    expect(findings.map((item) => [item.rule, item.resourceType, item.resource, item.item])).toEqual([
      ['iam-whole-environment', 'iam-managed-policy', 'arn:aws:iam::123456789012:policy/ci-prod', undefined],
      ['iam-all-secrets', 'iam-role', 'orders-prod', 'AmazonSSMManagedInstanceCore'],
      ['iam-all-secrets', 'iam-user', 'ci', 'AmazonSSMReadOnlyAccess'],
      ['iam-all-secrets', 'iam-group', 'developers', 'parameters'],
      ['iam-all-secrets', 'iam-group', 'developers', 'ReadOnlyAccess'],
    ])
    const [customer, role, user, group, readOnly] = findings
    expect(customer.detail).toMatch(/; held by user ci$/)
    expect(customer.fix).toBe(
      'a user is not a function (no grant): scope the statement of user ci to the secrets it reads (Resource arn:aws:secretsmanager:REGION:ACCOUNT:secret:/prod/SERVICE/NAME-??????, one per secret)',
    )
    expect(role.detail).toMatch(/^AmazonSSMManagedInstanceCore \(AWS managed\) allows ssm:GetParameter and ssm:GetParameters on every parameter, SecureStrings included/)
    expect(role.fix).toBe('no Lambda function or ECS task definition read by the audit runs as orders-prod, so nothing names the secrets it reads; replace the statement with: secrets grant prod/orders --function orders-prod --secret NAME')
    expect(user.fix).toMatch(/^a user is not a function \(no grant\): detach AmazonSSMReadOnlyAccess from user ci and allow only the secrets it reads/)
    expect(group.detail).toBe(
      "Allow ssm:GetParameter, ssm:GetParametersByPath on arn:aws:ssm:*:*:parameter/* (statement #1): SecureString parameters are secrets, returned decrypted; with kms:Decrypt on * (statement Keys), which decrypts every key's ciphertext, customer managed keys included; its members: alice, bob",
    )
    expect(group.fix).toMatch(/^a group is not a function \(no grant\): scope the statement of group developers/)
    expect(readOnly.detail).toMatch(/^ReadOnlyAccess \(AWS managed\) allows ssm:Get\* .*; its members: alice, bob$/)
    expect(JSON.stringify(findings)).not.toContain('--function ci')
  })

  it('reports a policy it cannot parse as unreadable instead of failing', () => {
    const {findings, unreadable} = inspectIam({managedPolicies: [], roles: [{name: 'r', inlinePolicies: [{name: 'bad', document: '%7Bnot json'}], attachedPolicyArns: []}], users: []})
    expect(findings).toEqual([])
    expect(unreadable).toEqual([{resource: 'role r', reason: 'policy bad could not be parsed (SyntaxError)'}])
  })
})
