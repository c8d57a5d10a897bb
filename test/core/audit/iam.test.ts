import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {
  judgePolicy,
  parsePolicyDocument,
  type PolicyStatement,
  READ_SECRET_ACTION,
  secretReach,
  secretReadGrants,
  wildcardMatch,
} from '../../../src/core/audit/iam.js'

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:'
const doc = (...Statement: PolicyStatement[]) => ({Version: '2012-10-17', Statement})
const allow = (Action: string | string[], Resource: string | string[], extra: Partial<PolicyStatement> = {}): PolicyStatement => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...extra,
})

describe('IAM wildcards', () => {
  it.each([
    ['secretsmanager:*', 'secretsmanager:GetSecretValue', true],
    ['secretsmanager:Get*', 'secretsmanager:GetSecretValue', true],
    ['SecretsManager:getsecretvalue', 'secretsmanager:GetSecretValue', true],
    ['secretsmanager:GetSecret?alue', 'secretsmanager:GetSecretValue', true],
    ['secretsmanager:Describe*', 'secretsmanager:GetSecretValue', false],
    ['s3:*', 'secretsmanager:GetSecretValue', false],
    ['*', 'secretsmanager:GetSecretValue', true],
  ])('%s matches %s: %s', (pattern, action, expected) => {
    expect(wildcardMatch(pattern, action, true)).toBe(expected)
  })
})

describe('IAM wildcards written to stall an audit', () => {
  /** The backtracking regex the matcher replaced, as the reference on inputs too small to stall it. */
  const reference = (pattern: string, text: string) =>
    new RegExp(`^${pattern.replaceAll(/[.+^${}()|[\]\\]/g, String.raw`\$&`).replaceAll('*', '.*').replaceAll('?', '.')}$`, 's').test(text)

  it('agrees with the plain regex reading on small patterns and texts (fast-check)', () => {
    const char = fc.constantFrom('a', 'b', ':', '*', '?')
    fc.assert(
      fc.property(fc.string({unit: char, maxLength: 8}), fc.string({unit: fc.constantFrom('a', 'b', ':'), maxLength: 8}), (pattern, text) => {
        expect(wildcardMatch(pattern, text)).toBe(reference(pattern, text))
      }),
      {numRuns: 3000},
    )
  })

  it.each([
    ['Action', {Action: `secretsmanager:${'*'.repeat(30)}x`, Resource: '*'}],
    ['NotAction', {NotAction: `secretsmanager:${'*'.repeat(30)}x`, Resource: '*'}],
    ['a resource\'s service', {Action: 'secretsmanager:GetSecretValue', Resource: `arn:aws:${'*'.repeat(30)}x:us-east-1:123456789012:secret:*`}],
    ['many stars and question marks', {Action: `${'*?'.repeat(500)}x`, Resource: '*'}],
  ])('answers at once for 30 or more stars in %s (the regex took past 60 s)', (_, statement) => {
    // Before: this call never returned (100 % CPU, exponential backtracking); now it is one pass.
    const grants = secretReadGrants(doc({Effect: 'Allow', ...statement}))
    expect(grants.length).toBeLessThanOrEqual(1)
    expect(wildcardMatch(`secretsmanager:${'*'.repeat(30)}x`, READ_SECRET_ACTION, true)).toBe(false)
    expect(wildcardMatch(`secretsmanager:${'*'.repeat(30)}e`, READ_SECRET_ACTION, true)).toBe(true)
  })
})

describe('how far a resource reaches', () => {
  it.each([
    ['*', {kind: 'all'}],
    ['arn:aws:secretsmanager:*', {kind: 'all'}],
    ['arn:*', {kind: 'all'}],
    ['arn:aws:secretsmanager:*:*:*', {kind: 'all'}],
    ['arn:aws:secretsmanager:*:*:secret:*', {kind: 'all'}],
    [`${ARN}*`, {kind: 'all'}],
    [`${ARN}/*`, {kind: 'all'}],
    [`${ARN}/*/api/*`, {kind: 'all'}],
    ['arn:aws:*:*:*:*', {kind: 'all'}],
    [`${ARN}/prod/*`, {kind: 'environment', env: 'prod'}],
    [`${ARN}/prod*`, {kind: 'environment', env: 'prod'}],
    [`${ARN}/prod/*/DB_PASS-??????`, {kind: 'environment', env: 'prod'}],
    [`${ARN}/prod/api/*`, {kind: 'scoped', env: 'prod', service: 'api'}],
    [`${ARN}/prod/api/DB_PASS-??????`, {kind: 'scoped', env: 'prod', service: 'api'}],
    [`${ARN}legacy-db-password-AbCdEf`, {kind: 'scoped'}],
    ['arn:aws:s3:::bucket/*', {kind: 'none'}],
    ['arn:aws:ssm:us-east-1:123456789012:parameter/prod/*', {kind: 'none'}],
    ['arn:aws:kms:*', {kind: 'none'}],
    ['arn:aws:secretsmanager:us-east-1:123456789012:other:x', {kind: 'none'}],
  ])('%s', (resource, reach) => {
    expect(secretReach(resource)).toEqual(reach)
  })
})

describe('policy documents', () => {
  it('decodes the URL-encoded documents IAM returns', () => {
    const plain = JSON.stringify(doc(allow('secretsmanager:GetSecretValue', '*')))
    expect(parsePolicyDocument(encodeURIComponent(plain))).toEqual(parsePolicyDocument(plain))
    expect(parsePolicyDocument('{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}').Statement).toHaveLength(1)
  })

  it.each<[string, ReturnType<typeof doc>, string | undefined]>([
    ['GetSecretValue on *', doc(allow('secretsmanager:GetSecretValue', '*')), 'iam-all-secrets'],
    ['secretsmanager:* on *', doc(allow('secretsmanager:*', '*')), 'iam-all-secrets'],
    ['* on *', doc(allow('*', '*')), 'iam-all-secrets'],
    ['GetSecretValue on secret:*', doc(allow(['secretsmanager:GetSecretValue'], `${ARN}*`)), 'iam-all-secrets'],
    ['NotAction that leaves GetSecretValue in', doc({Effect: 'Allow', NotAction: 'iam:*', Resource: '*'}), 'iam-all-secrets'],
    ['NotResource', doc({Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', NotResource: `${ARN}/prod/*`}), 'iam-all-secrets'],
    ['a whole environment', doc(allow('secretsmanager:GetSecretValue', `${ARN}/prod/*`)), 'iam-whole-environment'],
    ['two environments in one statement', doc(allow('secretsmanager:GetSecretValue', [`${ARN}/prod/api/*`, `${ARN}/staging/api/*`])), 'iam-multiple-environments'],
    [
      'two environments in two statements',
      doc(allow('secretsmanager:GetSecretValue', `${ARN}/prod/api/*`), allow('secretsmanager:GetSecretValue', `${ARN}/dev/*`)),
      'iam-multiple-environments',
    ],
    ['one service', doc(allow('secretsmanager:GetSecretValue', `${ARN}/prod/api/*`)), undefined],
    ['named secrets', doc(allow(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], [`${ARN}/prod/api/DB_PASS-??????`, `${ARN}/prod/api/STRIPE_KEY-??????`])), undefined],
    ['Deny on *', doc({Effect: 'Deny', Action: 'secretsmanager:*', Resource: '*'}), undefined],
    ['other actions on *', doc(allow(['s3:GetObject', 'secretsmanager:ListSecrets', 'secretsmanager:DescribeSecret'], '*')), undefined],
    ['* on other services', doc(allow('*', ['arn:aws:s3:::bucket/*', 'arn:aws:dynamodb:us-east-1:123456789012:table/t'])), undefined],
    ['NotAction without reads', doc({Effect: 'Allow', NotAction: 'secretsmanager:*', Resource: '*'}), undefined],
    ['NotResource that excludes every secret', doc({Effect: 'Allow', Action: '*', NotResource: 'arn:aws:secretsmanager:*:*:secret:*'}), undefined],
  ])('%s', (_, document, rule) => {
    expect(judgePolicy(secretReadGrants(document))?.rule).toBe(rule)
  })

  it('marks conditional statements without evaluating the condition', () => {
    const [grant] = secretReadGrants(doc(allow('secretsmanager:GetSecretValue', '*', {Sid: 'ByTag', Condition: {StringEquals: {'aws:ResourceTag/env': 'prod'}}})))
    expect(grant).toMatchObject({statement: 'ByTag', conditional: true})
  })

  it('never reports a grant built the way `secrets grant` builds it', () => {
    const part = fc.stringMatching(/^[A-Za-z0-9_.@-]{1,12}$/)
    fc.assert(
      fc.property(part, part, fc.array(part, {minLength: 1, maxLength: 4}), (env, service, names) => {
        const resources = names.map((name) => `${ARN}/${env}/${service}/${name}-??????`)
        expect(judgePolicy(secretReadGrants(doc(allow('secretsmanager:GetSecretValue', resources))))).toBeUndefined()
        expect(judgePolicy(secretReadGrants(doc(allow('secretsmanager:GetSecretValue', `${ARN}/${env}/${service}/*`))))).toBeUndefined()
      }),
    )
  })
})
