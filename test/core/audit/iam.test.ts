import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {AWS_MANAGED_READ_ALL, awsManagedDocument, awsManagedReadAll, awsManagedSource, describeAwsManaged} from '../../../src/core/audit/aws-managed-policies.js'
import {
  decryptsEveryKey,
  describeVerdict,
  judgePolicy,
  parameterReach,
  parsePolicyDocument,
  type PolicyStatement,
  READ_SECRET_ACTION,
  secretReach,
  secretReadGrants,
  wildcardMatch,
} from '../../../src/core/audit/iam.js'

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:'
const PARAMETER = 'arn:aws:ssm:us-east-1:123456789012:parameter/'
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

  it.each([
    ['*', {kind: 'all'}],
    ['arn:aws:ssm:*', {kind: 'all'}],
    ['arn:aws:ssm:*:*:*', {kind: 'all'}],
    ['arn:aws:ssm:*:*:parameter/*', {kind: 'all'}],
    ['arn:aws:ssm:*:*:parameter*', {kind: 'all'}],
    [`${PARAMETER}prod/*`, {kind: 'environment', env: 'prod'}],
    [`${PARAMETER}prod*`, {kind: 'environment', env: 'prod'}],
    [`${PARAMETER}prod/api/*`, {kind: 'scoped', env: 'prod', service: 'api'}],
    [`${PARAMETER}prod/api/DB_PASS`, {kind: 'scoped', env: 'prod', service: 'api'}],
    [`${PARAMETER}legacy-db-password`, {kind: 'scoped'}],
    ['arn:aws:ssm:us-east-1:123456789012:document/*', {kind: 'none'}],
    [`${ARN}*`, {kind: 'none'}],
    ['arn:aws:kms:*', {kind: 'none'}],
  ])('parameter %s', (resource, reach) => {
    expect(parameterReach(resource)).toEqual(reach)
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
    ['NotAction without reads', doc({Effect: 'Allow', NotAction: ['secretsmanager:*', 'ssm:Get*'], Resource: '*'}), undefined],
    ['NotAction that leaves SSM reads in', doc({Effect: 'Allow', NotAction: 'secretsmanager:*', Resource: '*'}), 'iam-all-secrets'],
    ['NotResource that excludes every secret and parameter', doc({Effect: 'Allow', Action: '*', NotResource: ['arn:aws:secretsmanager:*:*:secret:*', 'arn:aws:ssm:*:*:parameter/*']}), undefined],
    ['NotResource that excludes every secret but no parameter', doc({Effect: 'Allow', Action: '*', NotResource: 'arn:aws:secretsmanager:*:*:secret:*'}), 'iam-all-secrets'],
  ])('%s', (_, document, rule) => {
    expect(judgePolicy(secretReadGrants(document))?.rule).toBe(rule)
  })

  it.each<[string, ReturnType<typeof doc>, string | undefined]>([
    ['ssm:GetParameter on *', doc(allow('ssm:GetParameter', '*')), 'iam-all-secrets'],
    ['ssm:GetParameters on every parameter', doc(allow('ssm:GetParameters', `${PARAMETER}*`)), 'iam-all-secrets'],
    ['ssm:GetParametersByPath on parameter/*', doc(allow('ssm:GetParametersByPath', 'arn:aws:ssm:*:*:parameter/*')), 'iam-all-secrets'],
    ['ssm:GetParameter* on *', doc(allow('ssm:GetParameter*', '*')), 'iam-all-secrets'],
    ['ssm:Get* on *', doc(allow('ssm:Get*', '*')), 'iam-all-secrets'],
    ['ssm:* on every SSM resource', doc(allow('ssm:*', 'arn:aws:ssm:*')), 'iam-all-secrets'],
    ['ssm:GetParameterHistory on *', doc(allow('SSM:getparameterhistory', '*')), 'iam-all-secrets'],
    ['ssm:GetParametersByPath on a whole environment', doc(allow('ssm:GetParametersByPath', `${PARAMETER}prod/*`)), 'iam-whole-environment'],
    ['a secret environment and a parameter environment', doc(allow(['secretsmanager:GetSecretValue', 'ssm:GetParameter'], [`${ARN}/prod/api/*`, `${PARAMETER}staging/api/*`])), 'iam-multiple-environments'],
    ['ssm:GetParameter on one named parameter', doc(allow('ssm:GetParameter', `${PARAMETER}prod/api/DB_PASS`)), undefined],
    ['ssm:GetParameters on one service', doc(allow('ssm:GetParameters', `${PARAMETER}prod/api/*`)), undefined],
    ['ssm:GetParameter on two parameters outside the convention', doc(allow('ssm:GetParameter', [`${PARAMETER}db-host`, `${PARAMETER}db-pass`])), undefined],
    ['ssm:DescribeParameters and ssm:List* on *', doc(allow(['ssm:DescribeParameters', 'ssm:List*', 'ssm:GetDocument'], '*')), undefined],
    ['ssm:GetParameter on secret ARNs', doc(allow('ssm:GetParameter', `${ARN}*`)), undefined],
    ['GetSecretValue on parameter ARNs', doc(allow('secretsmanager:GetSecretValue', `${PARAMETER}*`)), undefined],
    ['ssm:* on SSM documents', doc(allow('ssm:*', 'arn:aws:ssm:us-east-1:123456789012:document/*')), undefined],
    ['kms:Decrypt on * alone', doc(allow('kms:Decrypt', '*')), undefined],
  ])('SecureString reads: %s', (_, document, rule) => {
    expect(judgePolicy(secretReadGrants(document))?.rule).toBe(rule)
  })

  it('says an SSM read returns SecureStrings, and names kms:Decrypt on every key beside a read', () => {
    const document = doc(allow('ssm:GetParameters', '*', {Sid: 'Params'}), allow(['kms:Decrypt'], 'arn:aws:kms:*:*:key/*', {Sid: 'Keys'}))
    const verdict = judgePolicy(secretReadGrants(document))!
    expect(describeVerdict(verdict, decryptsEveryKey(document))).toBe(
      "Allow ssm:GetParameters on * (statement Params): SecureString parameters are secrets, returned decrypted; with kms:Decrypt on arn:aws:kms:*:*:key/* (statement Keys), which decrypts every key's ciphertext, customer managed keys included",
    )
    const secrets = doc(allow('secretsmanager:GetSecretValue', `${ARN}/prod/*`), allow('kms:*', '*'))
    expect(describeVerdict(judgePolicy(secretReadGrants(secrets))!, decryptsEveryKey(secrets))).toMatch(/^Allow secretsmanager:GetSecretValue on .*\/prod\/\* \(statement #1\); with kms:Decrypt on \* \(statement #2\)/)
  })

  it.each<[string, PolicyStatement[], boolean]>([
    ['kms:Decrypt on *', [allow('kms:Decrypt', '*')], true],
    ['kms:* on every key', [allow('kms:*', 'arn:aws:kms:eu-west-1:123456789012:key/*')], true],
    ['* on arn:aws:kms:*', [allow('*', 'arn:aws:kms:*')], true],
    ['kms:Decrypt on one key', [allow('kms:Decrypt', 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab')], false],
    ['kms:Encrypt on *', [allow('kms:Encrypt', '*')], false],
    ['a Deny of kms:Decrypt on *', [{Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*'}], false],
    ['kms:Decrypt on an S3 bucket', [allow('kms:Decrypt', 'arn:aws:s3:::bucket/*')], false],
  ])('kms:Decrypt on every key: %s', (_, statements, expected) => {
    expect(decryptsEveryKey(doc(...statements)) !== undefined).toBe(expected)
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

describe('AWS managed policies that read every secret', () => {
  it.each(AWS_MANAGED_READ_ALL.map((policy) => [policy.name, policy] as const))('%s reads every secret or SecureString, as its document says', (_, policy) => {
    const document = parsePolicyDocument(awsManagedDocument(policy))
    expect(judgePolicy(secretReadGrants(document))?.rule).toBe('iam-all-secrets')
    expect(awsManagedSource(policy)).toBe(`https://docs.aws.amazon.com/aws-managed-policy/latest/reference/${policy.name}.html (${policy.version})`)
  })

  it.each([
    ['arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess', false, 'AmazonSSMReadOnlyAccess'],
    ['arn:aws-cn:iam::aws:policy/ReadOnlyAccess', false, 'ReadOnlyAccess'],
    ['arn:aws:iam::aws:policy/service-role/AmazonEC2RoleforSSM', false, 'AmazonEC2RoleforSSM'],
    ['arn:${}:iam::aws:policy/AmazonSSMManagedInstanceCore', false, 'AmazonSSMManagedInstanceCore'],
    ['AmazonSSMFullAccess', true, 'AmazonSSMFullAccess'],
    ['AmazonSSMFullAccess', false, undefined],
    ['arn:aws:iam::123456789012:policy/ReadOnlyAccess', false, undefined],
    ['arn:aws:iam::aws:policy/job-function/ViewOnlyAccess', false, undefined],
    ['ViewOnlyAccess', true, undefined],
    ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess', false, undefined],
  ])('%s (bare name %s): %s', (reference, bare, name) => {
    expect(awsManagedReadAll(reference, bare)?.name).toBe(name)
  })

  it('names the policy and why in its description', () => {
    expect(describeAwsManaged(awsManagedReadAll('AmazonSSMReadOnlyAccess', true)!)).toBe(
      'AmazonSSMReadOnlyAccess (AWS managed) allows ssm:Get* (GetParameter, GetParameters, GetParametersByPath, GetParameterHistory) on every parameter, SecureStrings included, decrypted under the default aws/ssm key',
    )
  })
})

describe('Deny statements that fence the reads', () => {
  const ALLOW_ALL = {Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*'}
  const ONLY_API = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:/prod/api/*'

  it('leaves an Allow on every secret only what a Deny with NotResource lists', () => {
    const grants = secretReadGrants({Statement: [ALLOW_ALL, {Effect: 'Deny', Action: 'secretsmanager:GetSecretValue', NotResource: [ONLY_API]}]})
    expect(judgePolicy(grants)).toBeUndefined()
    const wider = secretReadGrants({Statement: [ALLOW_ALL, {Effect: 'Deny', Action: 'secretsmanager:*', NotResource: ['arn:aws:secretsmanager:eu-west-1:123456789012:secret:/prod/*']}]})
    expect(judgePolicy(wider)?.rule).toBe('iam-whole-environment')
  })

  it('takes away every read where a Deny covers every secret', () => {
    expect(secretReadGrants({Statement: [ALLOW_ALL, {Effect: 'Deny', Action: ['secretsmanager:GetSecretValue'], Resource: '*'}]})).toEqual([])
  })

  it('leaves the reads alone where the Deny has a Condition, covers other actions only, or leaves some SSM read out', () => {
    const conditional = {Effect: 'Deny', Action: 'secretsmanager:GetSecretValue', Resource: '*', Condition: {Bool: {'aws:SecureTransport': 'false'}}}
    expect(judgePolicy(secretReadGrants({Statement: [ALLOW_ALL, conditional]}))?.rule).toBe('iam-all-secrets')
    expect(judgePolicy(secretReadGrants({Statement: [ALLOW_ALL, {Effect: 'Deny', Action: 'secretsmanager:DeleteSecret', Resource: '*'}]}))?.rule).toBe('iam-all-secrets')
    const ssm = {Effect: 'Allow', Action: 'ssm:GetParameter*', Resource: '*'}
    expect(judgePolicy(secretReadGrants({Statement: [ssm, {Effect: 'Deny', Action: 'ssm:GetParameter', Resource: '*'}]}))?.rule).toBe('iam-all-secrets')
    expect(secretReadGrants({Statement: [ssm, {Effect: 'Deny', Action: 'ssm:GetParameter*', Resource: '*'}]})).toEqual([])
  })
})
