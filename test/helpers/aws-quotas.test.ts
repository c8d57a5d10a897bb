/**
 * The quota proxy of the test bed: its token buckets, its quota groups, and that the SDK takes its
 * throttled answers for AWS's (a throttling error, retried).
 */
import {CreateSecretCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import {isThrottlingError} from '@smithy/core/retry'
import {describe, expect, inject, it} from 'vitest'

import {uniqueEnv} from './cli.js'
import {AWS_QUOTAS, quotaBuckets, quotaGroupOf, startQuotaProxy, TokenBucket} from './aws-quotas.js'

const E = uniqueEnv('quota')

function client(endpoint: string, maxAttempts: number): SecretsManagerClient {
  return new SecretsManagerClient({endpoint, region: 'us-east-1', credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'}, maxAttempts, retryMode: 'standard'})
}

describe('a token bucket', () => {
  it('starts full, refuses when empty, and refills at its rate up to its capacity', () => {
    let now = 0
    const bucket = new TokenBucket(5, 5, () => now)
    expect(Array.from({length: 6}, () => bucket.take())).toEqual([true, true, true, true, true, false])
    now = 200 // one token at 5 a second
    expect([bucket.take(), bucket.take()]).toEqual([true, false])
    now = 60_000 // a long pause fills it to its capacity, no more
    expect(Array.from({length: 6}, () => bucket.take()).filter(Boolean)).toHaveLength(5)
  })

  it('lets through its rate over time and no more', () => {
    let now = 0
    const bucket = new TokenBucket(50, 50, () => now)
    let passed = 0
    // 10 s of calls offered every millisecond: the burst of 50, then 50 a second.
    for (; now <= 10_000; now += 1) if (bucket.take()) passed += 1
    expect(passed).toBe(50 + 500)
  })

  it('scales every rate and holds burstSeconds of it', () => {
    let now = 0
    const buckets = quotaBuckets({scale: 0.1, burstSeconds: 2, now: () => now})
    expect(buckets['secretsmanager:create-delete'].rate).toBe(5)
    expect(buckets['secretsmanager:create-delete'].capacity).toBe(10)
    expect(buckets['ssm:read'].rate).toBe(4)
    expect(buckets['secretsmanager:describe'].rate).toBe(4000)
  })
})

describe('quota groups by X-Amz-Target', () => {
  it.each([
    ['secretsmanager.CreateSecret', 'secretsmanager:create-delete'],
    ['secretsmanager.DeleteSecret', 'secretsmanager:create-delete'],
    ['secretsmanager.PutSecretValue', 'secretsmanager:write'],
    ['secretsmanager.UpdateSecretVersionStage', 'secretsmanager:write'],
    ['secretsmanager.ReplicateSecretToRegions', 'secretsmanager:write'],
    ['secretsmanager.TagResource', 'secretsmanager:tag'],
    ['secretsmanager.BatchGetSecretValue', 'secretsmanager:batch-get'],
    ['secretsmanager.ListSecrets', 'secretsmanager:list'],
    ['secretsmanager.GetSecretValue', 'secretsmanager:get'],
    ['secretsmanager.DescribeSecret', 'secretsmanager:describe'],
    ['secretsmanager.RestoreSecret', 'secretsmanager:other'],
    ['AmazonSSM.GetParametersByPath', 'ssm:read'],
    ['AmazonSSM.GetParameters', 'ssm:read'],
    ['AmazonSSM.DeleteParameters', 'ssm:write'],
    ['AWSSecurityTokenServiceV20110615.GetCallerIdentity', undefined],
    [undefined, undefined],
  ])('%s is limited as %s', (target, group) => {
    expect(quotaGroupOf(target)).toBe(group)
  })

  it('has the published rates', () => {
    expect(AWS_QUOTAS).toMatchObject({'secretsmanager:create-delete': 50, 'secretsmanager:write': 50, 'secretsmanager:batch-get': 100, 'ssm:read': 40})
  })
})

describe('the quota proxy', () => {
  it('answers a throttled call as AWS does, and the SDK classifies it as throttling', async () => {
    const proxy = await startQuotaProxy(inject('emulatorEndpoint'))
    try {
      proxy.throttleAll(true)
      const raw = await fetch(proxy.endpoint, {method: 'POST', headers: {'x-amz-target': 'secretsmanager.CreateSecret', 'content-type': 'application/x-amz-json-1.1'}, body: '{}'})
      expect(raw.status).toBe(400)
      expect(raw.headers.get('x-amzn-errortype')).toBe('ThrottlingException')
      expect(await raw.json()).toEqual({__type: 'ThrottlingException', message: 'Rate exceeded'})

      const error = (await client(proxy.endpoint, 1)
        .send(new CreateSecretCommand({Name: `/${E}/api/THROTTLED`, SecretString: 'x'}))
        .then(
          () => new Error('not throttled'),
          (thrown: unknown) => thrown,
        )) as Error & {$metadata: {httpStatusCode?: number}}
      expect(error.name).toBe('ThrottlingException')
      expect(error.message).toBe('Rate exceeded')
      expect(error.$metadata.httpStatusCode).toBe(400)
      expect(isThrottlingError(error as never)).toBe(true)
      expect([proxy.throttles('secretsmanager:create-delete'), proxy.calls(), proxy.answered('CreateSecret')]).toEqual([2, 0, 0])
    } finally {
      await proxy.close()
    }
  })

  it('lets the SDK retry a throttled call until the bucket has a token again', async () => {
    // One CreateSecret a second, no burst beyond it: the second call is throttled, then retried.
    const proxy = await startQuotaProxy(inject('emulatorEndpoint'), {rates: {'secretsmanager:create-delete': 1}})
    try {
      const sm = client(proxy.endpoint, 8)
      const outputs = await Promise.all(['A', 'B'].map((name) => sm.send(new CreateSecretCommand({Name: `/${E}/retry/${name}`, SecretString: name}))))
      expect(outputs.map((output) => output.$metadata.attempts ?? 1).sort()).toEqual([1, expect.any(Number)])
      expect(Math.max(...outputs.map((output) => output.$metadata.attempts ?? 1))).toBeGreaterThan(1)
      expect(proxy.throttles('secretsmanager:create-delete')).toBeGreaterThanOrEqual(1)
      expect([proxy.calls('secretsmanager:create-delete'), proxy.answered('CreateSecret')]).toEqual([2, 2])
    } finally {
      await proxy.close()
    }
  })
})
