import {UsageError} from '../core/errors.js'

/**
 * AWS's request quotas for the calls this CLI makes, and a client-side pacer that keeps every quota
 * group of a run under its rate, so a migration runs at the quota instead of bouncing off it (each
 * throttled call costs a retry, a backoff of up to seconds, and retry capacity the SDK refills slowly).
 *
 * The rates are requests per second per account and region, as published:
 *  - Secrets Manager (AWS General Reference, "AWS Secrets Manager endpoints and quotas"; not adjustable):
 *    CreateSecret and DeleteSecret 50 combined; PutSecretValue, UpdateSecret, UpdateSecretVersionStage and
 *    the replication calls 50 combined; TagResource and UntagResource 50; BatchGetSecretValue 100;
 *    ListSecrets 100; GetSecretValue 10,000; DescribeSecret 40,000; GetResourcePolicy, PutResourcePolicy,
 *    DeleteResourcePolicy and ValidateResourcePolicy 50 combined. No rate is published for the other
 *    operations (RestoreSecret, ListSecretVersionIds, ...): 50 is assumed.
 *  - Parameter Store at its standard throughput ("Changing Parameter Store throughput"): 40 shared by
 *    GetParameter, GetParameters and GetParametersByPath. No rate is stated for PutParameter,
 *    DeleteParameter and DeleteParameters: they are one group at 40 here.
 *  - Other services (STS, IAM, Lambda, ECS) are not paced.
 */
export type QuotaGroup =
  | 'secretsmanager:create-delete'
  | 'secretsmanager:write'
  | 'secretsmanager:tag'
  | 'secretsmanager:batch-get'
  | 'secretsmanager:list'
  | 'secretsmanager:get'
  | 'secretsmanager:describe'
  | 'secretsmanager:resource-policy'
  | 'secretsmanager:other'
  | 'ssm:read'
  | 'ssm:write'

/** Requests per second of each group at the published quotas. */
export const AWS_QUOTAS: Readonly<Record<QuotaGroup, number>> = {
  'secretsmanager:create-delete': 50,
  'secretsmanager:write': 50,
  'secretsmanager:tag': 50,
  'secretsmanager:batch-get': 100,
  'secretsmanager:list': 100,
  'secretsmanager:get': 10_000,
  'secretsmanager:describe': 40_000,
  'secretsmanager:resource-policy': 50,
  'secretsmanager:other': 50,
  'ssm:read': 40,
  'ssm:write': 40,
}

const SECRETS_MANAGER_GROUPS: Readonly<Record<string, QuotaGroup>> = {
  CreateSecret: 'secretsmanager:create-delete',
  DeleteSecret: 'secretsmanager:create-delete',
  PutSecretValue: 'secretsmanager:write',
  UpdateSecret: 'secretsmanager:write',
  UpdateSecretVersionStage: 'secretsmanager:write',
  ReplicateSecretToRegions: 'secretsmanager:write',
  RemoveRegionsFromReplication: 'secretsmanager:write',
  StopReplicationToReplica: 'secretsmanager:write',
  TagResource: 'secretsmanager:tag',
  UntagResource: 'secretsmanager:tag',
  BatchGetSecretValue: 'secretsmanager:batch-get',
  ListSecrets: 'secretsmanager:list',
  GetSecretValue: 'secretsmanager:get',
  DescribeSecret: 'secretsmanager:describe',
  GetResourcePolicy: 'secretsmanager:resource-policy',
  PutResourcePolicy: 'secretsmanager:resource-policy',
  DeleteResourcePolicy: 'secretsmanager:resource-policy',
  ValidateResourcePolicy: 'secretsmanager:resource-policy',
}

const SSM_READS = new Set(['GetParameter', 'GetParameters', 'GetParametersByPath'])

/**
 * The quota group of an operation (`CreateSecret`) of a service (`secretsmanager`, or the target
 * prefix `AmazonSSM` / `ssm`); undefined for a call no quota here limits.
 */
export function quotaGroupOf(service: string, operation: string): QuotaGroup | undefined {
  if (service === 'secretsmanager') return SECRETS_MANAGER_GROUPS[operation] ?? 'secretsmanager:other'
  if (service === 'ssm' || service === 'AmazonSSM') return SSM_READS.has(operation) ? 'ssm:read' : 'ssm:write'
  return undefined
}

/** Error names AWS throttles with (the SDK's own list, less those no call here can get). */
const THROTTLING = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded', 'RequestThrottled', 'SlowDown'])

/** True when `error` is AWS saying a quota was exceeded. */
export function isThrottling(error: unknown): boolean {
  const failure = error as {name?: string; $metadata?: {httpStatusCode?: number}} | undefined
  return THROTTLING.has(failure?.name ?? '') || failure?.$metadata?.httpStatusCode === 429
}

/** Below this fraction of its quota a group is never slowed, however often it is throttled. */
const MIN_FRACTION = 0.02
/** A throttle slows its group to this fraction of its rate at the time. */
const BACK_OFF = 0.7
/** After a throttle, the rate climbs back by this fraction of the quota a second. */
const RECOVERY_PER_SECOND = 0.05
/** Throttles this close to the last slow-down answer calls sent before it: they do not slow it again. */
const SETTLE_MS = 500

interface GroupState {
  next: number
  /** When the calls of the last second were answered (not throttled). */
  answered: number[]
  /** The rate after the last throttle, and when it came; absent: never throttled. */
  slowed?: {rate: number; at: number}
}

/**
 * Spaces the calls of each group evenly at `scale` times its rate: a call waits until 1/rate after
 * the one before it. No burst: AWS's buckets allow one, but it is not published, and a run that
 * never spends it leaves it to retries and to other callers of the account.
 *
 * When AWS throttles a group anyway (another workload of the account uses the same quota), that
 * group alone slows to 0.7 of the rate that got through in the last second, and climbs back by 5 %
 * of its quota a second: the SDK's
 * adaptive mode does the same per client, all operations together, and its limiter, once throttled,
 * holds every later call of the client (the read-back after a Ctrl-C waited seconds behind it).
 */
export class QuotaPacer {
  private readonly groups = new Map<QuotaGroup, GroupState>()

  constructor(
    readonly scale: number,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /** Requests a second the group may send now. */
  rate(group: QuotaGroup): number {
    const quota = AWS_QUOTAS[group] * this.scale
    const slowed = this.groups.get(group)?.slowed
    if (!slowed) return quota
    return Math.min(quota, slowed.rate + ((this.now() - slowed.at) / 1000) * RECOVERY_PER_SECOND * quota)
  }

  /** Milliseconds between two calls of the group at its current rate. */
  interval(group: QuotaGroup): number {
    return 1000 / this.rate(group)
  }

  /** Resolves when a call of `group` may be sent. */
  async take(group: QuotaGroup): Promise<void> {
    const now = this.now()
    const state = this.state(group, now)
    const at = Math.max(now, state.next)
    state.next = at + this.interval(group)
    if (at > now) await this.sleep(at - now)
  }

  /** A call of `group` was answered: counted in the rate the group gets through. */
  answered(group: QuotaGroup): void {
    const now = this.now()
    const {answered} = this.state(group, now)
    answered.push(now)
    while (answered.length > 0 && answered[0] < now - 1000) answered.shift()
  }

  /**
   * AWS throttled a call of `group`: the group slows to 0.7 of what got through in the last second
   * (or of its rate, if that is lower), once for a burst of throttles.
   */
  throttled(group: QuotaGroup): void {
    const now = this.now()
    const state = this.state(group, now)
    if (state.slowed && now - state.slowed.at < SETTLE_MS) return
    const through = state.answered.filter((at) => at >= now - 1000).length
    const floor = AWS_QUOTAS[group] * this.scale * MIN_FRACTION
    state.slowed = {rate: Math.max(floor, Math.min(this.rate(group), through) * BACK_OFF), at: now}
  }

  private state(group: QuotaGroup, now: number): GroupState {
    let state = this.groups.get(group)
    if (!state) {
      state = {next: now, answered: []}
      this.groups.set(group, state)
    }

    return state
  }
}

let shared: QuotaPacer | undefined

/**
 * The pacer of this process, shared by every client (the quotas are per account, not per client), or
 * null when calls are not paced. Calls are paced at the published quotas on every endpoint: AWS's own,
 * a VPC endpoint or a FIPS endpoint given by --endpoint-url or AWS_ENDPOINT_URL alike, since an
 * endpoint's address says nothing about whose quotas stand behind it. SECRETS_AWS_QUOTA_SCALE is the
 * fraction of the published quotas a run may use (0.5 leaves half to other workloads of the account),
 * or `off` for an endpoint with no quotas at all (the test bed's emulator).
 */
export function quotaPacer(env: NodeJS.ProcessEnv = process.env): QuotaPacer | null {
  const configured = env.SECRETS_AWS_QUOTA_SCALE?.trim()
  if (configured === 'off') return null
  let scale = 1
  if (configured !== undefined && configured !== '') {
    scale = Number(configured)
    if (!Number.isFinite(scale) || scale <= 0) {
      throw new UsageError(`SECRETS_AWS_QUOTA_SCALE must be a number above 0 (the fraction of the published quotas a run may use) or "off", not "${configured}".`)
    }
  }

  if (shared?.scale !== scale) shared = new QuotaPacer(scale)
  return shared
}
