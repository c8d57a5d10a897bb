/**
 * The "under AWS quotas" tables of `npm run bench` (BENCH_ONLY=quotas measures only these): the CLI
 * through the quota proxy of the test bed (test/helpers/aws-quotas.ts), which enforces Secrets
 * Manager's and Parameter Store's published request quotas in front of the emulator and answers
 * throttled calls as AWS does. Each command gets a fresh proxy, so its buckets start full and its
 * counts are its own.
 *
 * - migrate --from-ssm of N new parameters (BENCH_QUOTA_COUNTS, default 1,000 and 10,000; BENCH_QUICK
 *   keeps 1,000): items a second as a fraction of the binding quota (CreateSecret, 50 a second),
 *   throttles, attempts (HTTP requests, retries included) per item, time to the first CreateSecret
 *   (from just before the process is started), peak memory; then an unchanged re-run.
 * - the obvious shell loop (the AWS CLI's get-parameters-by-path, then create-secret per item) on
 *   the first 50 parameters of the first count, through the same proxy.
 * - get --all of 500 secrets (BatchGetSecretValue, 100 a second) and promote of 2,000 (BENCH_QUICK
 *   skips promote).
 * BENCH_QUOTA_SCALE (default 1, the real quotas) scales every rate, for a quicker look;
 * BENCH_QUOTA_MIGRATE_ONLY=1 measures only the migrations (with BENCH_ONLY=quotas the other quota
 * tables are kept from the previous run).
 */
import {CreateSecretCommand, type SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import type {SSMClient} from '@aws-sdk/client-ssm'
import pLimit from 'p-limit'

import {AWS_QUOTAS, type QuotaProxy, startQuotaProxy} from '../test/helpers/aws-quotas.js'

interface Run {
  wall_ms: number
  max_rss_kb: number
  stderr_tail: string
}

interface Command {
  argv: string[]
  env: Record<string, string>
}

export interface QuotaBench {
  emulator: string
  /** Builds a `secrets` command with extra environment. */
  secrets: (args: string[], extra?: Record<string, string>) => Command
  env: Record<string, string>
  measure: (commands: Record<string, Command>, runs: number) => Promise<Record<string, Run[]>>
  seedParameters: (ssm: SSMClient, path: string, count: number) => Promise<void>
  ssm: SSMClient
  sm: SecretsManagerClient
  quick: boolean
}

const round = (value: number, digits = 0) => Number(value.toFixed(digits))

function apiCalls(run: Run): {total: number; attempts: number} {
  const line = run.stderr_tail.split('\n').find((candidate) => candidate.startsWith('secrets-api-calls '))
  if (!line) throw new Error(`no API call report in: ${run.stderr_tail}`)
  return JSON.parse(line.slice('secrets-api-calls '.length))
}

export async function quotaBenchmark(bench: QuotaBench): Promise<Record<string, unknown>> {
  const scale = Number(process.env.BENCH_QUOTA_SCALE ?? 1)
  const counts = (process.env.BENCH_QUOTA_COUNTS ?? (bench.quick ? '1000' : '1000,10000')).split(',').map(Number)
  const createRate = AWS_QUOTAS['secretsmanager:create-delete'] * scale

  /** One command through a fresh proxy: its run, its proxy's counts, and when its first write came. */
  const through = async (label: string, args: string[]) => {
    const proxy: QuotaProxy = await startQuotaProxy(bench.emulator, {scale})
    try {
      const command = bench.secrets(args, {AWS_ENDPOINT_URL: proxy.endpoint, SECRETS_REPORT_API_CALLS: '1', SECRETS_AWS_QUOTA_SCALE: String(scale)})
      const started = performance.now()
      const run = (await bench.measure({[label]: command}, 1))[label][0]
      const firstWrite = proxy.firstCallAt('secretsmanager:create-delete') ?? proxy.firstCallAt('secretsmanager:write')
      return {run, calls: apiCalls(run), throttles: proxy.throttles(), firstWriteMs: firstWrite === undefined ? undefined : round(firstWrite - started)}
    } finally {
      await proxy.close()
    }
  }

  // Warm-up: a command's first run after a build writes its V8 code caches at exit (a few MiB held as
  // it does), which every later run reads instead; unwarmed, the first row's peak would include it.
  await bench.seedParameters(bench.ssm, '/bqwarm/app', 3)
  await bench.measure({warm: bench.secrets(['migrate', '--from-ssm', '/bqwarm/app', '--on-conflict', 'skip', '--json'])}, 1)

  const migrate: Record<string, unknown>[] = []
  for (const count of counts) {
    const path = `/bq${count}/app`
    await bench.seedParameters(bench.ssm, path, count)
    // Parameters named /<env>/<service>/<name> are their own secrets: nothing can collide, so a
    // pipeline's plan streams (with --to it would list every name first; PERFORMANCE.md says why).
    const args = ['migrate', '--from-ssm', path, '--json']
    const first = await through('migrate', args)
    const again = await through('migrate', args)
    const perSecond = count / (first.run.wall_ms / 1000)
    migrate.push({
      parameters: count,
      measured: new Date().toISOString().slice(0, 16).replace('T', ' '),
      bindingQuota: `CreateSecret ${createRate}/s`,
      wallMs: round(first.run.wall_ms),
      itemsPerSecond: round(perSecond, 1),
      ofQuota: round(perSecond / createRate, 3),
      throttles: first.throttles,
      attemptsPerItem: round(first.calls.attempts / count, 3),
      callsPerItem: round(first.calls.total / count, 3),
      firstWriteMs: first.firstWriteMs,
      peakRssMiB: round(first.run.max_rss_kb / 1024, 1),
      rerunWallMs: round(again.run.wall_ms),
      rerunCallsPerItem: round(again.calls.total / count, 3),
      rerunThrottles: again.throttles,
    })
  }

  if (process.env.BENCH_QUOTA_MIGRATE_ONLY === '1') return {scale, date: new Date().toISOString(), migrate}

  // The obvious shell loop on the first 50 parameters of the first migration (the AWS CLI's own retries, ~0.5 s a process).
  const loopItems = 50
  const loopProxy = await startQuotaProxy(bench.emulator, {scale})
  let shellLoop: Record<string, unknown>
  try {
    const endpoint = loopProxy.endpoint
    const started = performance.now()
    const run = (
      await bench.measure(
        {
          loop: {
            argv: [
              'bash',
              '-c',
              `aws ssm get-parameters-by-path --path /bq${counts[0]}/app --recursive --with-decryption --output json --endpoint-url ${endpoint} |
  python3 -c 'import json,sys; [print(p["Name"] + "\\t" + p["Value"]) for p in sorted(json.load(sys.stdin)["Parameters"], key=lambda p: p["Name"])[:${loopItems}]]' |
  while IFS=$'\\t' read -r name value; do
    aws secretsmanager create-secret --name "/shellq$name" --secret-string "$value" --endpoint-url ${endpoint} > /dev/null
  done`,
            ],
            env: bench.env,
          },
        },
        1,
      )
    ).loop[0]
    const firstWrite = loopProxy.firstCallAt('secretsmanager:create-delete')
    const perSecond = loopItems / (run.wall_ms / 1000)
    shellLoop = {
      itemsMeasured: loopItems,
      wallMs: round(run.wall_ms),
      itemsPerSecond: round(perSecond, 1),
      ofQuota: round(perSecond / createRate, 3),
      throttles: loopProxy.throttles(),
      firstWriteMs: firstWrite === undefined ? undefined : round(firstWrite - started),
      wallMsScaledTo1000: round(run.wall_ms * (1000 / loopItems)),
    }
  } finally {
    await loopProxy.close()
  }

  // get --all of 500 secrets: 5 ListSecrets pages, 25 BatchGetSecretValue.
  const limit = pLimit(16)
  await Promise.all(
    Array.from({length: 500}, (_, i) =>
      limit(() => bench.sm.send(new CreateSecretCommand({Name: `/bq/all500/S${String(i).padStart(3, '0')}`, SecretString: `value-${i}`})).catch(() => undefined)),
    ),
  )
  const all = await through('get --all', ['get', 'bq/all500', '--all', '--json'])
  const getAll = {
    secrets: 500,
    bindingQuota: `BatchGetSecretValue ${AWS_QUOTAS['secretsmanager:batch-get'] * scale}/s`,
    wallMs: round(all.run.wall_ms),
    apiCalls: all.calls.total,
    attempts: all.calls.attempts,
    throttles: all.throttles,
  }

  let promote: Record<string, unknown> | undefined
  if (!bench.quick) {
    await Promise.all(
      Array.from({length: 2000}, (_, i) =>
        limit(() => bench.sm.send(new CreateSecretCommand({Name: `/bqstage/api/S${String(i).padStart(4, '0')}`, SecretString: `value-${i}`})).catch(() => undefined)),
      ),
    )
    // Warm-up, as for migrate: promote's first run after a build writes its code caches.
    await Promise.all(['S0', 'S1'].map((name) => bench.sm.send(new CreateSecretCommand({Name: `/bqwarm/api/${name}`, SecretString: 'warm'})).catch(() => undefined)))
    await bench.measure({warm: bench.secrets(['promote', 'bqwarm/api', 'bqwarmed/api', '--on-conflict', 'skip', '--yes', '--json'])}, 1)
    const run = await through('promote', ['promote', 'bqstage/api', 'bqprod/api', '--yes', '--json'])
    const perSecond = 2000 / (run.run.wall_ms / 1000)
    promote = {
      secrets: 2000,
      bindingQuota: `CreateSecret ${createRate}/s`,
      wallMs: round(run.run.wall_ms),
      itemsPerSecond: round(perSecond, 1),
      ofQuota: round(perSecond / createRate, 3),
      throttles: run.throttles,
      attemptsPerItem: round(run.calls.attempts / 2000, 3),
      firstWriteMs: run.firstWriteMs,
      peakRssMiB: round(run.run.max_rss_kb / 1024, 1),
    }
  }

  return {scale, date: new Date().toISOString(), migrate, shellLoop, getAll, ...(promote ? {promote} : {})}
}
