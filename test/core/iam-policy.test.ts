import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {partProblem, Scope, SecretAddress} from '../../src/core/address.js'
import {
  assertAccount,
  assertFunctionName,
  assertKmsKeyArn,
  assertPartition,
  assertRegion,
  buildPolicy,
  DESCRIBE_SECRET,
  type FunctionGrant,
  GET_SECRET_VALUE,
  partitionOfRegion,
  type Placement,
  PSEUDO_PLACEMENT,
  sidPrefix,
} from '../../src/core/iam-policy.js'
import {evaluate, randomSuffix, secretArn} from '../fixtures/grant-evaluator.js'

const HERE: Placement = {partition: 'aws', region: 'eu-west-1', account: '123456789012', urlSuffix: 'amazonaws.com'}
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'

function grant(overrides: Partial<FunctionGrant> & {names?: string[]} = {}): FunctionGrant {
  const scope = overrides.scope ?? Scope.parse('prod/api')
  return {
    functionName: 'checkout',
    scope,
    secrets: (overrides.names ?? ['DB_PASS', 'STRIPE_KEY']).map((name) => scope.secret(name)),
    describe: false,
    kmsKeyArns: [],
    ...overrides,
  }
}

describe('buildPolicy with named secrets', () => {
  const policy = buildPolicy(grant(), HERE)

  it('matches each named secret with exactly six suffix characters', () => {
    expect(policy.Statement[0].Resource).toEqual([
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:/prod/api/DB_PASS-??????',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:/prod/api/STRIPE_KEY-??????',
    ])
    expect(JSON.stringify(policy)).not.toMatch(/-\*|secretsmanager:\*|secret:\*|secret:\/prod\/\*/)
  })

  it('names the function and the environment in every Sid, with only letters and digits', () => {
    const withKms = buildPolicy(grant({functionName: 'checkout-fn_v2', kmsKeyArns: [KEY]}), HERE)
    for (const statement of withKms.Statement) {
      expect(statement.Sid).toMatch(/^CheckoutFnV2Prod/)
      expect(statement.Sid).toMatch(/^[A-Za-z0-9]+$/)
    }
  })

  it.each([
    ['the granted DB_PASS', GET_SECRET_VALUE, secretArn('/prod/api/DB_PASS'), 'Allowed'],
    ['the granted STRIPE_KEY', GET_SECRET_VALUE, secretArn('/prod/api/STRIPE_KEY'), 'Allowed'],
    ['the same name in another environment', GET_SECRET_VALUE, secretArn('/staging/api/DB_PASS'), 'ImplicitlyDenied'],
    ['the same name in another service', GET_SECRET_VALUE, secretArn('/prod/web/DB_PASS'), 'ImplicitlyDenied'],
    ['a service sharing a prefix (api2)', GET_SECRET_VALUE, secretArn('/prod/api2/DB_PASS'), 'ImplicitlyDenied'],
    ['a name sharing a prefix (DB_PASS_OLD)', GET_SECRET_VALUE, secretArn('/prod/api/DB_PASS_OLD'), 'ImplicitlyDenied'],
    ['a name sharing a prefix (DB_PASS-1)', GET_SECRET_VALUE, secretArn('/prod/api/DB_PASS-1'), 'ImplicitlyDenied'],
    ['a name sharing a prefix (DB_PASS-OLD)', GET_SECRET_VALUE, secretArn('/prod/api/DB_PASS-OLD'), 'ImplicitlyDenied'],
    ['a secret not granted in the same service', GET_SECRET_VALUE, secretArn('/prod/api/ADMIN_TOKEN'), 'ImplicitlyDenied'],
    ['PutSecretValue on a granted secret', 'secretsmanager:PutSecretValue', secretArn('/prod/api/DB_PASS'), 'ImplicitlyDenied'],
    ['DeleteSecret on a granted secret', 'secretsmanager:DeleteSecret', secretArn('/prod/api/DB_PASS'), 'ImplicitlyDenied'],
    ['DescribeSecret without --describe', DESCRIBE_SECRET, secretArn('/prod/api/DB_PASS'), 'ImplicitlyDenied'],
    ['the granted name in another region', GET_SECRET_VALUE, secretArn('/prod/api/DB_PASS', {region: 'us-east-1'}), 'ImplicitlyDenied'],
    ['the granted name in another account', GET_SECRET_VALUE, secretArn('/prod/api/DB_PASS', {account: '210987654321'}), 'ImplicitlyDenied'],
  ])('evaluates %s as %s', async (_label, action, arn, expected) => {
    expect(await evaluate(policy, action, arn)).toBe(expected)
  })

  it('denies a suffix that is not exactly six characters', async () => {
    expect(await evaluate(policy, GET_SECRET_VALUE, secretArn('/prod/api/DB_PASS', {suffix: 'AbC12'}))).toBe('ImplicitlyDenied')
    expect(await evaluate(policy, GET_SECRET_VALUE, secretArn('/prod/api/DB_PASS', {suffix: 'AbC1234'}))).toBe('ImplicitlyDenied')
    expect(await evaluate(policy, GET_SECRET_VALUE, secretArn('/prod/api/DB_PASS', {suffix: 'OLD-AbC123'}))).toBe('ImplicitlyDenied')
  })
})

describe('buildPolicy without --secret', () => {
  const policy = buildPolicy(grant({names: []}), HERE)

  it('grants the service namespace only', () => {
    expect(policy.Statement[0].Resource).toEqual(['arn:aws:secretsmanager:eu-west-1:123456789012:secret:/prod/api/*'])
  })

  it.each([
    ['any secret of the service', secretArn('/prod/api/ANYTHING'), 'Allowed'],
    ['a sibling service sharing a prefix (api2)', secretArn('/prod/api2/DB_PASS'), 'ImplicitlyDenied'],
    ['the same service in another environment', secretArn('/staging/api/DB_PASS'), 'ImplicitlyDenied'],
    ['an environment sharing a prefix (prod2)', secretArn('/prod2/api/DB_PASS'), 'ImplicitlyDenied'],
    ['another region', secretArn('/prod/api/DB_PASS', {region: 'us-east-1'}), 'ImplicitlyDenied'],
    ['another account', secretArn('/prod/api/DB_PASS', {account: '210987654321'}), 'ImplicitlyDenied'],
  ])('evaluates %s as %s', async (_label, arn, expected) => {
    expect(await evaluate(policy, GET_SECRET_VALUE, arn)).toBe(expected)
  })

  it('still refuses writes and deletes', async () => {
    expect(await evaluate(policy, 'secretsmanager:PutSecretValue', secretArn('/prod/api/DB_PASS'))).toBe('ImplicitlyDenied')
    expect(await evaluate(policy, 'secretsmanager:DeleteSecret', secretArn('/prod/api/DB_PASS'))).toBe('ImplicitlyDenied')
  })
})

describe('buildPolicy with --describe and --kms-key-arn', () => {
  const policy = buildPolicy(grant({describe: true, kmsKeyArns: [KEY, KEY]}), HERE)

  it('adds DescribeSecret on the same secrets only', async () => {
    expect(await evaluate(policy, DESCRIBE_SECRET, secretArn('/prod/api/DB_PASS'))).toBe('Allowed')
    expect(await evaluate(policy, DESCRIBE_SECRET, secretArn('/prod/api/DB_PASS_OLD'))).toBe('ImplicitlyDenied')
  })

  it('allows kms:Decrypt only through Secrets Manager in the same region', async () => {
    expect(policy.Statement[1].Resource).toEqual([KEY])
    const via = (service: string) => ({'kms:ViaService': service})
    expect(await evaluate(policy, 'kms:Decrypt', KEY, via('secretsmanager.eu-west-1.amazonaws.com'))).toBe('Allowed')
    expect(await evaluate(policy, 'kms:Decrypt', KEY, via('secretsmanager.us-east-1.amazonaws.com'))).toBe('ImplicitlyDenied')
    expect(await evaluate(policy, 'kms:Decrypt', KEY, via('s3.eu-west-1.amazonaws.com'))).toBe('ImplicitlyDenied')
    expect(await evaluate(policy, 'kms:Decrypt', KEY)).toBe('ImplicitlyDenied')
    const otherKey = KEY.replace('1234abcd', '9999abcd')
    expect(await evaluate(policy, 'kms:Decrypt', otherKey, via('secretsmanager.eu-west-1.amazonaws.com'))).toBe('ImplicitlyDenied')
  })
})

describe('buildPolicy in other partitions', () => {
  it('uses the partition and its endpoint suffix', async () => {
    const china: Placement = {partition: 'aws-cn', region: 'cn-north-1', account: '123456789012', urlSuffix: 'amazonaws.com.cn'}
    const policy = buildPolicy(grant({kmsKeyArns: ['arn:aws-cn:kms:cn-north-1:123456789012:key/abcd']}), china)
    expect(policy.Statement[0].Resource[0]).toBe('arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:/prod/api/DB_PASS-??????')
    expect(policy.Statement[1].Condition).toEqual({StringEquals: {'kms:ViaService': 'secretsmanager.cn-north-1.amazonaws.com.cn'}})
    expect(await evaluate(policy, GET_SECRET_VALUE, secretArn('/prod/api/DB_PASS', {partition: 'aws-cn', region: 'cn-north-1'}))).toBe('Allowed')
    expect(await evaluate(policy, GET_SECRET_VALUE, secretArn('/prod/api/DB_PASS', {region: 'cn-north-1'}))).toBe('ImplicitlyDenied')
  })

  it('derives the partition from the region', () => {
    expect(partitionOfRegion('eu-west-1')).toBe('aws')
    expect(partitionOfRegion('cn-northwest-1')).toBe('aws-cn')
    expect(partitionOfRegion('us-gov-west-1')).toBe('aws-us-gov')
  })

  it('keeps CloudFormation pseudo-parameters in place for Fn::Sub', () => {
    const policy = buildPolicy(grant({kmsKeyArns: [KEY]}), PSEUDO_PLACEMENT)
    expect(policy.Statement[0].Resource[0]).toBe('arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:/prod/api/DB_PASS-??????')
    expect(policy.Statement[1].Condition?.StringEquals['kms:ViaService']).toBe('secretsmanager.${AWS::Region}.${AWS::URLSuffix}')
  })
})

describe('input validation', () => {
  it.each([
    ['checkout'],
    ['checkout-fn_2'],
    ['a'.repeat(64)],
  ])('accepts the function name %s', (name) => {
    expect(() => assertFunctionName(name)).not.toThrow()
  })

  it.each([
    ['', /empty/],
    ['a'.repeat(65), /longer than 64/],
    ['check out', /letters, digits/],
    ['fn/prod', /letters, digits/],
    ['fn:alias', /letters, digits/],
  ])('refuses the function name %j', (name, message) => {
    expect(() => assertFunctionName(name)).toThrow(message)
  })

  it('refuses a bad account, region, partition and KMS key with exit 2', () => {
    for (const check of [
      () => assertAccount('12345'),
      () => assertAccount('12345678901a'),
      () => assertRegion('Europe'),
      () => assertRegion('eu-west-1; rm'),
      () => assertPartition('azure'),
      () => assertKmsKeyArn('1234abcd-12ab'),
      () => assertKmsKeyArn('arn:aws:kms:eu-west-1:123456789012:alias/app'),
      () => assertKmsKeyArn('arn:aws:kms:eu-west-1:123456789012:key/*'),
    ]) {
      expect(check).toThrow(expect.objectContaining({exitCode: 2}))
    }
  })

  it('points an alias ARN to the key ARN', () => {
    expect(() => assertKmsKeyArn('arn:aws:kms:eu-west-1:123456789012:alias/app')).toThrow(
      expect.objectContaining({hint: expect.stringMatching(/describe-key/)}),
    )
  })

  it('builds Sids from the function and environment', () => {
    expect(sidPrefix('checkout', 'prod')).toBe('CheckoutProd')
    expect(sidPrefix('my_fn-2', 'eu.prod@x')).toBe('MyFn2EuProdX')
  })
})

/** Parts that pass the foundation's address rules (asked of those rules, never re-implemented here). */
const part = fc.stringMatching(/^[A-Za-z0-9_+=.@-]{1,12}$/).filter((value) => partProblem('service', value) === undefined)
const secretName = part.filter((name) => {
  try {
    SecretAddress.of('e', 's', name)
    return true
  } catch {
    return false
  }
})

describe('properties over valid names', () => {
  it('allows exactly the granted secrets and denies their neighbours', async () => {
    await fc.assert(
      fc.asyncProperty(part, part, fc.uniqueArray(secretName, {minLength: 1, maxLength: 3}), secretName, async (env, service, names, other) => {
        const scope = Scope.of(env, service)
        const policy = buildPolicy(grant({scope, names}), HERE)
        for (const name of names) {
          expect(await evaluate(policy, GET_SECRET_VALUE, secretArn(`/${env}/${service}/${name}`))).toBe('Allowed')
          // Same name with something appended: a prefix-sharing neighbour.
          expect(await evaluate(policy, GET_SECRET_VALUE, secretArn(`/${env}/${service}/${name}-OLD`))).toBe('ImplicitlyDenied')
          expect(await evaluate(policy, GET_SECRET_VALUE, secretArn(`/${env}/${service}/${name}_OLD`))).toBe('ImplicitlyDenied')
          expect(await evaluate(policy, GET_SECRET_VALUE, secretArn(`/${env}x/${service}/${name}`))).toBe('ImplicitlyDenied')
          expect(await evaluate(policy, GET_SECRET_VALUE, secretArn(`/${env}/${service}2/${name}`))).toBe('ImplicitlyDenied')
          expect(await evaluate(policy, 'secretsmanager:PutSecretValue', secretArn(`/${env}/${service}/${name}`))).toBe('ImplicitlyDenied')
        }

        if (!names.includes(other)) {
          expect(await evaluate(policy, GET_SECRET_VALUE, secretArn(`/${env}/${service}/${other}`))).toBe('ImplicitlyDenied')
        }
      }),
      {numRuns: 40},
    )
  })

  it('never emits a wildcard outside the ?????? suffix for named secrets', () => {
    fc.assert(
      fc.property(part, part, fc.uniqueArray(secretName, {minLength: 1, maxLength: 4}), (env, service, names) => {
        const policy = buildPolicy(grant({scope: Scope.of(env, service), names, kmsKeyArns: [KEY]}), HERE)
        for (const statement of policy.Statement) {
          expect(statement.Action.some((action) => action.includes('*'))).toBe(false)
          for (const resource of statement.Resource) expect(resource.replace(/-\?{6}$/, '')).not.toMatch(/[*?]/)
        }
      }),
    )
  })

  it('keeps the random suffix helper realistic', () => {
    expect(randomSuffix()).toMatch(/^[A-Za-z0-9]{6}$/)
  })
})
