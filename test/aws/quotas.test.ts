import {afterEach, describe, expect, it, vi} from 'vitest'

import {QuotaPacer, quotaGroupOf, quotaPacer} from '../../src/aws/quotas.js'
import {emulatorEnv} from '../helpers/emulator.js'

/** A pacer on vitest's fake clock, so the times calls go out are exact. */
function fakePacer(scale: number) {
  vi.useFakeTimers({now: 0})
  const sent: number[] = []
  const pacer = new QuotaPacer(scale, () => Date.now())
  const send = async (group: Parameters<QuotaPacer['take']>[0]) => {
    await pacer.take(group)
    sent.push(Date.now())
  }

  return {pacer, sent, send}
}

afterEach(() => {
  vi.useRealTimers()
})

describe('the quota pacer', () => {
  it('spaces the calls of a group at its rate: 50 CreateSecret a second, one every 20 ms', async () => {
    const {sent, send} = fakePacer(1)
    const sending = (async () => {
      for (let i = 0; i < 5; i++) await send('secretsmanager:create-delete')
    })()
    await vi.runAllTimersAsync()
    await sending
    expect(sent).toEqual([0, 20, 40, 60, 80])
  })

  it('paces each group on its own: reads do not wait behind writes', async () => {
    const {sent, send} = fakePacer(1)
    const sending = (async () => {
      await send('secretsmanager:create-delete')
      await send('secretsmanager:create-delete')
      await send('ssm:read')
    })()
    await vi.runAllTimersAsync()
    await sending
    // The SSM read went out at once (its own 40 a second), after the second write's 20 ms.
    expect(sent).toEqual([0, 20, 20])
  })

  it('scales every rate', () => {
    const pacer = new QuotaPacer(0.1)
    expect(pacer.interval('secretsmanager:create-delete')).toBe(200)
    expect(pacer.interval('ssm:read')).toBe(250)
  })

  it('never lets a group exceed its rate over any window, however many callers wait', async () => {
    const {sent, send} = fakePacer(0.2)
    const sending = Promise.all(Array.from({length: 40}, () => send('secretsmanager:batch-get')))
    await vi.runAllTimersAsync()
    await sending
    // 20 a second at a fifth of 100: 40 calls span 39 intervals of 50 ms.
    expect(sent.at(-1)).toBe(39 * 50)
    for (let i = 20; i < sent.length; i++) expect(sent[i] - sent[i - 20]).toBeGreaterThanOrEqual(1000)
  })
})

describe('the quota pacer when AWS throttles anyway', () => {
  it('slows only the throttled group, to 0.7 of what got through in the last second, then climbs back', () => {
    let now = 0
    const pacer = new QuotaPacer(1, () => now)
    // 10 CreateSecret a second got through (another workload takes the rest of the 50), then a throttle.
    for (; now < 1000; now += 100) pacer.answered('secretsmanager:create-delete')
    pacer.throttled('secretsmanager:create-delete')
    expect(pacer.rate('secretsmanager:create-delete')).toBeCloseTo(7)
    expect(pacer.rate('secretsmanager:batch-get')).toBe(100)
    // It climbs back by 5 % of the quota (2.5 a second) a second, up to the quota.
    now += 1000
    expect(pacer.rate('secretsmanager:create-delete')).toBeCloseTo(9.5)
    now += 60_000
    expect(pacer.rate('secretsmanager:create-delete')).toBe(50)
  })

  it('slows once for a burst of throttles, and never below 2 % of the quota', () => {
    let now = 0
    const pacer = new QuotaPacer(1, () => now)
    pacer.answered('ssm:read')
    pacer.throttled('ssm:read')
    // The calls in flight are throttled too, within the same moment: no further slow-down.
    now += 10
    pacer.throttled('ssm:read')
    pacer.throttled('ssm:read')
    expect(pacer.rate('ssm:read')).toBeCloseTo(0.8 + 0.01 * 0.05 * 40)
    for (let i = 0; i < 20; i++) {
      now += 600
      pacer.throttled('ssm:read')
    }

    expect(pacer.rate('ssm:read')).toBeGreaterThanOrEqual(0.8)
  })
})

describe('which runs are paced', () => {
  it('paces every endpoint at the published quotas unless told otherwise: AWS, a VPC endpoint, an emulator', () => {
    // The endpoint is not consulted at all: a VPC endpoint's address looks custom but stands for AWS's quotas.
    expect(quotaPacer({})?.scale).toBe(1)
    expect(quotaPacer({AWS_ENDPOINT_URL: 'https://vpce-0abc.secretsmanager.us-east-1.vpce.amazonaws.com'})?.scale).toBe(1)
    expect(quotaPacer({AWS_ENDPOINT_URL: 'http://127.0.0.1:5000'})?.scale).toBe(1)
  })

  it('is off only when SECRETS_AWS_QUOTA_SCALE says off (the test bed says so for its emulator)', () => {
    expect(quotaPacer({SECRETS_AWS_QUOTA_SCALE: 'off'})).toBeNull()
    expect(quotaPacer(emulatorEnv('http://127.0.0.1:5000'))).toBeNull()
  })

  it('takes SECRETS_AWS_QUOTA_SCALE as the fraction of the quotas to use', () => {
    expect(quotaPacer({SECRETS_AWS_QUOTA_SCALE: '0.5'})?.scale).toBe(0.5)
    expect(() => quotaPacer({SECRETS_AWS_QUOTA_SCALE: 'fast'})).toThrow(/SECRETS_AWS_QUOTA_SCALE must be a number above 0 .* or "off"/)
    expect(() => quotaPacer({SECRETS_AWS_QUOTA_SCALE: '0'})).toThrow(/above 0/)
  })

  it.each([
    ['secretsmanager', 'CreateSecret', 'secretsmanager:create-delete'],
    ['secretsmanager', 'PutSecretValue', 'secretsmanager:write'],
    ['secretsmanager', 'BatchGetSecretValue', 'secretsmanager:batch-get'],
    ['secretsmanager', 'GetResourcePolicy', 'secretsmanager:resource-policy'],
    ['ssm', 'GetParametersByPath', 'ssm:read'],
    ['ssm', 'DeleteParameters', 'ssm:write'],
    ['sts', 'GetCallerIdentity', undefined],
  ])('%s %s is paced as %s', (service, operation, group) => {
    expect(quotaGroupOf(service, operation)).toBe(group)
  })
})
