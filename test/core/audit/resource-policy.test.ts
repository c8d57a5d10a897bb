import {describe, expect, it} from 'vitest'

import {conditionLimitsWho, inspectSecretPolicies, policyOpenings, principalAccount, type ResourcePolicyStatement} from '../../../src/core/audit/resource-policy.js'

const OWN = '123456789012'
const allow = (fields: Partial<ResourcePolicyStatement>): ResourcePolicyStatement => ({Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*', ...fields})
const kinds = (statement: ResourcePolicyStatement, own?: string) => policyOpenings([statement], own).map((opening) => [opening.kind, opening.principals])

describe('policyOpenings', () => {
  it.each<[string, ResourcePolicyStatement, Array<[string, string[]]>]>([
    ['Principal "*"', allow({Principal: '*'}), [['public', ['*']]]],
    ['Principal {AWS: "*"}', allow({Principal: {AWS: '*'}}), [['public', ['*']]]],
    ['a list holding "*"', allow({Principal: {AWS: ['arn:aws:iam::123456789012:role/app', '*']}}), [['public', ['*']]]],
    ['secretsmanager:* to everyone', allow({Principal: {AWS: '*'}, Action: 'secretsmanager:*'}), [['public', ['*']]]],
    ['Get* to everyone', allow({Principal: '*', Action: ['secretsmanager:Get*']}), [['public', ['*']]]],
    ['* to everyone', allow({Principal: '*', Action: '*'}), [['public', ['*']]]],
    ['NotPrincipal with Allow', allow({NotPrincipal: {AWS: 'arn:aws:iam::123456789012:root'}}), [['public', ['NotPrincipal']]]],
    ['another account by id', allow({Principal: {AWS: '210987654321'}}), [['other-account', ['210987654321']]]],
    ['another account by root ARN', allow({Principal: {AWS: 'arn:aws:iam::210987654321:root'}}), [['other-account', ['210987654321']]]],
    ['a role of another account', allow({Principal: {AWS: 'arn:aws:iam::210987654321:role/reader'}}), [['other-account', ['210987654321']]]],
    ['a Condition that does not limit who', allow({Principal: '*', Condition: {Bool: {'aws:SecureTransport': 'true'}}}), [['public', ['*']]]],
    ['a limiting key under IfExists', allow({Principal: '*', Condition: {StringEqualsIfExists: {'aws:PrincipalOrgID': 'o-abc123'}}}), [['public', ['*']]]],
    ['a negated limiting key', allow({Principal: '*', Condition: {StringNotEquals: {'aws:PrincipalAccount': '210987654321'}}}), [['public', ['*']]]],
    ['a limiting key that allows *', allow({Principal: '*', Condition: {StringLike: {'aws:PrincipalArn': '*'}}}), [['public', ['*']]]],
  ])('reports %s', (_, statement, expected) => {
    expect(kinds(statement)).toEqual(expected)
  })

  it.each<[string, ResourcePolicyStatement]>([
    ['a Deny', {Effect: 'Deny', Principal: '*', Action: 'secretsmanager:*', Resource: '*'}],
    ['a role of the own account', allow({Principal: {AWS: `arn:aws:iam::${OWN}:role/app`}})],
    ['the own account', allow({Principal: {AWS: OWN}})],
    ['an action that reads no value', allow({Principal: '*', Action: 'secretsmanager:DescribeSecret'})],
    ['a NotAction that leaves the value out', allow({Principal: '*', Action: undefined, NotAction: 'secretsmanager:GetSecretValue'})],
    ['an organization condition', allow({Principal: '*', Condition: {StringEquals: {'aws:PrincipalOrgID': 'o-abc123'}}})],
    ['an account condition (any case)', allow({Principal: {AWS: '*'}, Condition: {StringEquals: {'AWS:PrincipalAccount': ['210987654321']}}})],
    ['a source ARN condition', allow({Principal: {AWS: '210987654321'}, Condition: {ArnLike: {'aws:SourceArn': 'arn:aws:lambda:*:210987654321:function:x'}}})],
    ['a service principal', allow({Principal: {Service: 'lambda.amazonaws.com'}})],
    ['a template expression for the account', allow({Principal: {AWS: '${AWS::AccountId}'}})],
    ['an unreadable account', allow({Principal: {AWS: 'arn:aws:iam::var.account_id:saml-provider/var.provider_name'}})],
  ])('leaves %s alone', (_, statement) => {
    expect(kinds(statement, OWN)).toEqual([])
  })

  it('takes a literal account as another account when the own account is not known (a template)', () => {
    expect(kinds(allow({Principal: {AWS: OWN}}))).toEqual([['other-account', [OWN]]])
  })

  it('names each statement by Sid or position', () => {
    const openings = policyOpenings([allow({Principal: {AWS: OWN}}), allow({Sid: 'Open', Principal: '*'}), allow({Principal: {AWS: '210987654321'}})], OWN)
    expect(openings.map((opening) => opening.statement)).toEqual(['Open', '#3'])
  })
})

describe('conditionLimitsWho and principalAccount', () => {
  it('reads ForAnyValue-qualified operators', () => {
    expect(conditionLimitsWho({'ForAnyValue:StringLike': {'aws:PrincipalOrgPaths': ['o-a/r-b/*']}})).toBe(true)
    expect(conditionLimitsWho({Null: {'aws:PrincipalOrgID': 'false'}})).toBe(false)
  })

  it('reads the account of ids and ARNs only', () => {
    expect(principalAccount('arn:aws:sts::210987654321:assumed-role/r/s')).toBe('210987654321')
    expect(principalAccount('arn:aws-us-gov:iam::210987654321:root')).toBe('210987654321')
    expect(principalAccount('${var.account}')).toBeUndefined()
  })
})

describe('inspectSecretPolicies', () => {
  const policy = (...statements: ResourcePolicyStatement[]) => JSON.stringify({Version: '2012-10-17', Statement: statements})

  it('reports an open policy with the commands that replace or delete it, naming the secret and never a value', () => {
    const {findings, unreadable} = inspectSecretPolicies(
      [
        {name: 'prod/api/DB_PASS', policy: policy(allow({Sid: 'Everyone', Principal: '*'}), allow({Principal: {AWS: '210987654321'}}))},
        {name: 'prod/api/TOKEN', policy: policy(allow({Principal: {AWS: `arn:aws:iam::${OWN}:role/app`}}))},
      ],
      OWN,
    )
    expect(unreadable).toEqual([])
    expect(findings.map((item) => [item.rule, item.severity, item.resource])).toEqual([
      ['secret-policy-public', 'high', 'prod/api/DB_PASS'],
      ['secret-policy-other-account', 'medium', 'prod/api/DB_PASS'],
    ])
    expect(findings[0].detail).toMatch(/Allow secretsmanager:GetSecretValue to any principal \(\*\) \(statement Everyone\)/)
    expect(findings[0].fix).toContain('aws secretsmanager put-resource-policy --secret-id prod/api/DB_PASS --block-public-policy')
    expect(findings[0].fix).toContain('aws secretsmanager delete-resource-policy --secret-id prod/api/DB_PASS')
    expect(findings[1].detail).toContain('account 210987654321')
  })

  it('quotes a name for the shell and returns an unparsable policy apart', () => {
    const {findings, unreadable} = inspectSecretPolicies([
      {name: "it's open", policy: policy(allow({Principal: '*'}))},
      {name: 'broken', policy: '{not json'},
    ])
    expect(findings[0].fix).toContain(`--secret-id 'it'\\''s open'`)
    expect(unreadable).toEqual(['broken'])
  })
})
