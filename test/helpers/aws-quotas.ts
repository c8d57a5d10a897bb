import {randomUUID} from 'node:crypto'

import {AWS_QUOTAS, type QuotaGroup, quotaGroupOf as groupOf} from '../../src/aws/quotas.js'
import {type AwsProxy, startAwsProxy} from './aws-proxy.js'

export {AWS_QUOTAS, type QuotaGroup} from '../../src/aws/quotas.js'

/**
 * The loopback AWS proxy (./aws-proxy.ts) with AWS's request quotas: one token bucket per quota group,
 * keyed by the `X-Amz-Target` of each call, and throttled calls answered exactly as AWS answers them.
 * Like the proxy it extends, it listens on 127.0.0.1 and forwards to the emulator only.
 *
 * The groups and their published rates are those of src/aws/quotas.ts (which says where each comes
 * from): Secrets Manager's CreateSecret+DeleteSecret 50 a second, PutSecretValue and the other writes
 * 50, tags 50, BatchGetSecretValue 100, ListSecrets 100, GetSecretValue 10,000, DescribeSecret 40,000;
 * Parameter Store's reads 40 and its writes (no published rate) 40. Other services are not limited.
 *
 * A bucket holds `burstSeconds` of its rate (1 s unless told: AWS does not publish its burst) and
 * starts full. `scale` multiplies every rate: 0.1 runs a test at a tenth of the real quotas.
 */

/**
 * The quota group of a call from its `X-Amz-Target` (`secretsmanager.CreateSecret`,
 * `AmazonSSM.GetParametersByPath`); undefined for a call no quota here limits.
 */
export function quotaGroupOf(target: string | undefined): QuotaGroup | undefined {
  if (target === undefined) return undefined
  const dot = target.lastIndexOf('.')
  return groupOf(target.slice(0, dot), target.slice(dot + 1))
}

/** A token bucket: `rate` tokens a second, at most `capacity`, starting full; `now` in milliseconds. */
export class TokenBucket {
  private tokens: number
  private last: number

  constructor(
    readonly rate: number,
    readonly capacity: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = capacity
    this.last = now()
  }

  /** Takes one token if there is one. */
  take(): boolean {
    const now = this.now()
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate)
    this.last = now
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}

/** What AWS answers a throttled JSON-protocol call: 400, `ThrottlingException`, "Rate exceeded". */
export function throttlingAnswer(): {status: number; headers: Record<string, string>; body: string} {
  const body = JSON.stringify({__type: 'ThrottlingException', message: 'Rate exceeded'})
  return {
    status: 400,
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': String(Buffer.byteLength(body)),
      'x-amzn-errortype': 'ThrottlingException',
      'x-amzn-requestid': randomUUID(),
    },
    body,
  }
}

export interface QuotaOptions {
  /** Multiplies every rate (1 = the real quotas). */
  scale?: number
  /** Seconds of its rate a bucket holds. */
  burstSeconds?: number
  /** Rates that replace the real ones (before `scale`). */
  rates?: Partial<Record<QuotaGroup, number>>
  /** Milliseconds; the buckets' clock (tests of the buckets pass their own). */
  now?: () => number
}

export interface QuotaProxy extends AwsProxy {
  /** Calls let through to the emulator, by quota group (all groups when absent). */
  calls(group?: QuotaGroup): number
  /** Calls answered with ThrottlingException, by quota group (all groups when absent). */
  throttles(group?: QuotaGroup): number
  /** performance.now() of the first call let through of the group, if any. */
  firstCallAt(group: QuotaGroup): number | undefined
  /** While on, every limited call is throttled (a quota used up by someone else); counts as throttles. */
  throttleAll(on: boolean): void
  /** Resolves once `count` calls of `group` have been let through (a point of the run, not a delay). */
  whenCalls(group: QuotaGroup, count: number): Promise<void>
  /** Resolves once `count` calls of `group` have been throttled. */
  whenThrottled(group: QuotaGroup, count: number): Promise<void>
}

/** Starts the proxy in front of `upstream` with the quotas of `options`. */
export async function startQuotaProxy(upstream: string, options: QuotaOptions = {}): Promise<QuotaProxy> {
  const buckets = quotaBuckets(options)
  const passed = new Map<QuotaGroup, number>()
  const throttled = new Map<QuotaGroup, number>()
  const first = new Map<QuotaGroup, number>()
  let storm = false
  const waiters: {counts: Map<QuotaGroup, number>; group: QuotaGroup; count: number; resolve: () => void}[] = []
  const count = (counts: Map<QuotaGroup, number>, group: QuotaGroup) => {
    counts.set(group, (counts.get(group) ?? 0) + 1)
    for (const waiter of waiters.filter((w) => w.counts === counts && w.group === group && (counts.get(group) ?? 0) >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1)
      waiter.resolve()
    }
  }

  const when = (counts: Map<QuotaGroup, number>, group: QuotaGroup, wanted: number) =>
    new Promise<void>((resolve) => {
      if ((counts.get(group) ?? 0) >= wanted) resolve()
      else waiters.push({counts, group, count: wanted, resolve})
    })
  const proxy = await startAwsProxy(upstream, {
    gate({target}) {
      const group = quotaGroupOf(target)
      if (group === undefined) return undefined
      if (storm || !buckets[group].take()) {
        count(throttled, group)
        return throttlingAnswer()
      }

      if (!first.has(group)) first.set(group, performance.now())
      count(passed, group)
      return undefined
    },
  })
  const sum = (counts: Map<QuotaGroup, number>, group?: QuotaGroup) => (group ? (counts.get(group) ?? 0) : [...counts.values()].reduce((a, b) => a + b, 0))
  return {
    ...proxy,
    calls: (group) => sum(passed, group),
    throttles: (group) => sum(throttled, group),
    firstCallAt: (group) => first.get(group),
    throttleAll(on) {
      storm = on
    },
    whenCalls: (group, wanted) => when(passed, group, wanted),
    whenThrottled: (group, wanted) => when(throttled, group, wanted),
  }
}

/** One bucket per group at the scaled rates. */
export function quotaBuckets(options: QuotaOptions = {}): Record<QuotaGroup, TokenBucket> {
  const scale = options.scale ?? 1
  const burst = options.burstSeconds ?? 1
  const entries = (Object.keys(AWS_QUOTAS) as QuotaGroup[]).map((group) => {
    const rate = (options.rates?.[group] ?? AWS_QUOTAS[group]) * scale
    return [group, new TokenBucket(rate, Math.max(1, rate * burst), options.now)] as const
  })
  return Object.fromEntries(entries) as Record<QuotaGroup, TokenBucket>
}
