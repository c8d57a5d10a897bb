/**
 * `migrate` killed with SIGKILL at seeded points (counts of answered AWS calls, never delays) across
 * plan, write, verify and delete-source, against the emulator. After every kill: every source parameter that was not verified-then-deleted is still
 * there with its value, every target that exists holds the complete, correct value; re-running the
 * same command converges with nothing lost and exactly one version per secret.
 */
import {spawn} from 'node:child_process'

import {GetParametersByPathCommand} from '@aws-sdk/client-ssm'
import {ListSecretVersionIdsCommand} from '@aws-sdk/client-secrets-manager'
import pLimit from 'p-limit'
import {beforeAll, describe, expect, inject, it} from 'vitest'

import {secretsManagerClient} from '../../src/aws/clients.js'
import {secretStore, seed, ssm} from '../fixtures/migrate-helpers.js'
import {startAwsProxy} from '../helpers/aws-proxy.js'
import {BIN, cliEnv, ROOT, runCli, uniqueEnv} from '../helpers/cli.js'

const E = uniqueEnv('kill')
const SEED = Number(process.env.KILL_SEED ?? 20_261_127)
const POINTS = Number(process.env.KILL_POINTS ?? 40)
const PER_POINT = 80

/** mulberry32: a tiny seeded PRNG, so a failing run can be replayed with KILL_SEED. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

type Phase = 'plan' | 'write' | 'verify' | 'delete-source'

/**
 * A kill point is a count of answered AWS calls, never a delay: the run is frozen at a loopback proxy
 * (test/helpers/aws-proxy.ts) right after the emulator has answered the `at`-th call of the phase,
 * every later request and answer held, and killed there. So each point lands in its phase on any
 * machine, however fast or loaded.
 *  - plan: `at` pages of GetParametersByPath answered (80 parameters are 8 pages of 10);
 *  - write: `at` CreateSecret/PutSecretValue answered (of 80);
 *  - verify: all 80 writes and `at` read-back batches answered (80 are 4 batches of 20);
 *  - delete-source: `at` deletions of source parameters answered (batches of at most 10).
 * With `landHeld`, requests held at the freeze still reach the emulator and only their answers are
 * lost: the write happened, the client never heard.
 */
interface KillPoint {
  index: number
  phase: Phase
  at: number
  landHeld: boolean
  concurrency: number
  deleteSource: boolean
}

const WRITES = /^(CreateSecret|PutSecretValue)$/
const REACHED: Record<Phase, (at: number) => (answered: (operation: string | RegExp) => number) => boolean> = {
  plan: (at) => (answered) => answered('GetParametersByPath') >= at,
  write: (at) => (answered) => answered(WRITES) >= at,
  verify: (at) => (answered) => answered(WRITES) >= PER_POINT && answered('BatchGetSecretValue') >= at,
  'delete-source': (at) => (answered) => answered(/^DeleteParameters?$/) >= at,
}
/** The largest `at` that still leaves a call of the phase to come, whatever the concurrency. */
const LAST_AT: Record<Phase, number> = {plan: 7, write: PER_POINT - 1, verify: 3, 'delete-source': 7}

const random = prng(SEED)
const PHASES: Phase[] = ['plan', 'write', 'verify', 'delete-source']
const points: KillPoint[] = Array.from({length: POINTS}, (_, index) => {
  const phase = PHASES[index % PHASES.length]
  return {
    index,
    phase,
    at: 1 + Math.floor(random() * LAST_AT[phase]),
    landHeld: random() < 0.5,
    concurrency: [1, 2, 4, 8, 16][Math.floor(random() * 5)],
    // delete-source needs it; otherwise every other point.
    deleteSource: phase === 'delete-source' || random() < 0.5,
  }
})

const path = (p: KillPoint) => `/${E}/k${p.index}`
const params = (p: KillPoint) =>
  Array.from({length: PER_POINT}, (_, i) => ({
    name: `${path(p)}/P${String(i).padStart(2, '0')}`,
    value: `v${p.index}.${i} ✓ ${'x'.repeat((i * 37) % 1500)}\nsecond line, = and # kept`,
    type: (['String', 'SecureString', 'StringList'] as const)[i % 3],
  }))
const target = (p: KillPoint, name: string) => `/${E}/t${p.index}/${name.split('/').pop()}`
const args = (p: KillPoint) => [
  'migrate', '--from-ssm', path(p), '--to', `${E}/t${p.index}`, '--concurrency', String(p.concurrency), ...(p.deleteSource ? ['--delete-source'] : []),
]

interface Stopped {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** Answered calls when the run was frozen, by operation group. */
  frozenAt: {reads: number; writes: number; readBacks: number; deletions: number}
}

/**
 * Runs the point's migration through a proxy, freezes it at the point and stops it: SIGKILL while
 * frozen; SIGINT while frozen, then, once the CLI has said it is stopping, lets the calls in flight
 * finish so it can verify and report them.
 */
async function runAndStop(p: KillPoint, signal: 'SIGKILL' | 'SIGINT' | 'SIGTERM' = 'SIGKILL'): Promise<Stopped> {
  const proxy = await startAwsProxy(inject('emulatorEndpoint'))
  try {
    const child = spawn(process.execPath, [BIN, ...args(p)], {cwd: ROOT, env: cliEnv({AWS_ENDPOINT_URL: proxy.endpoint}), stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    let acknowledged: () => void = () => {}
    const stopping = new Promise<void>((resolve) => (acknowledged = resolve))
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      if (/^Stopping \(SIG(INT|TERM)\): /m.test(stderr)) acknowledged()
    })
    const closed = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve, reject) => {
      child.on('error', reject)
      child.on('close', (code, killedBy) => resolve({code, signal: killedBy}))
    })
    const exitedEarly = closed.then(() => 'exited' as const)
    const frozen = proxy.freezeWhen(REACHED[p.phase](p.at), {forwardHeld: p.landHeld && signal === 'SIGKILL'}).then(() => 'frozen' as const)
    // A run that ends before its point is a failure of the point, reported with what it printed.
    if ((await Promise.race([frozen, exitedEarly])) === 'exited') throw new Error(`the run ended before its kill point:\n${stdout}${stderr}`)
    const frozenAt = {
      reads: proxy.answered('GetParametersByPath'),
      writes: proxy.answered(WRITES),
      readBacks: proxy.answered('BatchGetSecretValue'),
      deletions: proxy.answered(/^DeleteParameters?$/),
    }
    child.kill(signal)
    if (signal !== 'SIGKILL') {
      await stopping
      proxy.release()
    }

    const {code, signal: killedBy} = await closed
    // Nothing may still be on its way to the emulator when the invariants are checked.
    await proxy.settled()
    return {code, signal: killedBy, stdout, stderr, frozenAt}
  } finally {
    await proxy.close()
  }
}

async function ssmValues(prefix: string): Promise<Map<string, string>> {
  const client = await ssm()
  const values = new Map<string, string>()
  let token: string | undefined
  do {
    const page = await client.send(new GetParametersByPathCommand({Path: prefix, Recursive: true, WithDecryption: true, NextToken: token, MaxResults: 10}))
    for (const parameter of page.Parameters ?? []) values.set(parameter.Name ?? '', parameter.Value ?? '')
    token = page.NextToken
  } while (token)
  return values
}

async function targetValues(p: KillPoint): Promise<Map<string, string | undefined>> {
  const store = await secretStore()
  const names = params(p).map((parameter) => target(p, parameter.name))
  const {values} = await store.getMany(names)
  return new Map([...values].map(([name, value]) => [name, value.text]))
}

/** Every version the emulator holds (it lists unstaged ones too, so a duplicate cannot hide). */
async function versionCounts(names: string[]): Promise<number[]> {
  const client = await secretsManagerClient({})
  const limit = pLimit(8)
  return Promise.all(
    names.map((name) =>
      limit(async () => {
        const output = await client.send(new ListSecretVersionIdsCommand({SecretId: name, IncludeDeprecated: true}))
        return output.Versions?.length ?? 0
      }),
    ),
  )
}

/** The invariants that must hold at any instant: nothing lost, nothing partial. */
async function expectSafe(p: KillPoint): Promise<void> {
  const [sources, targets] = await Promise.all([ssmValues(path(p)), targetValues(p)])
  for (const parameter of params(p)) {
    const written = targets.get(target(p, parameter.name))
    // A target that exists is complete and correct (never empty, truncated or another item's value).
    if (written !== undefined) expect(written, target(p, parameter.name)).toBe(parameter.value)
    const source = sources.get(parameter.name)
    if (source === undefined) {
      // Deleted only after its target verified equal.
      expect(p.deleteSource, `${parameter.name} deleted without --delete-source`).toBe(true)
      expect(written, `${parameter.name} deleted but its target is missing`).toBe(parameter.value)
    } else {
      expect(source).toBe(parameter.value)
    }
  }
}

describe(`migrate killed with SIGKILL at ${POINTS} points (seed ${SEED})`, () => {
  beforeAll(async () => {
    await seed(points.flatMap((p) => params(p)))
  }, 300_000)

  it.each(points)('point $index: $phase after $at answered calls (held requests land: $landHeld), concurrency $concurrency, delete-source $deleteSource', async (p) => {
    const killed = await runAndStop(p)
    expect(killed.signal, killed.stderr).toBe('SIGKILL')
    // The freeze is where the point says: in its phase, with the phase unfinished.
    const {reads, writes, readBacks, deletions} = killed.frozenAt
    if (p.phase === 'plan') expect({reads, writes}).toEqual({reads: p.at, writes: 0})
    if (p.phase === 'write') expect(writes).toBe(p.at)
    if (p.phase === 'verify') expect({writes, deletions, readBacks: readBacks >= p.at}).toEqual({writes: PER_POINT, deletions: 0, readBacks: true})
    if (p.phase === 'delete-source') expect(deletions).toBe(p.at)
    await expectSafe(p)

    // Wherever the kill came, the same command finishes with 0.
    const rerun = await runCli(args(p))
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0)

    await expectSafe(p)
    const targets = await targetValues(p)
    for (const parameter of params(p)) expect(targets.get(target(p, parameter.name))).toBe(parameter.value)
    const counts = await versionCounts(params(p).map((parameter) => target(p, parameter.name)))
    expect(counts.filter((count) => count !== 1), 'secrets with other than one version').toEqual([])
    if (p.deleteSource) expect((await ssmValues(path(p))).size).toBe(0)
  })
})

describe('migrate stopped with SIGINT or SIGTERM', () => {
  const stopPoints = [0, 1, 2, 3].map((i) => ({
    index: 100 + i,
    phase: 'write' as const,
    at: [5, 20, 40, 30][i],
    landHeld: false,
    concurrency: [1, 4, 8, 4][i],
    deleteSource: i === 1,
    signal: i === 3 ? ('SIGTERM' as const) : ('SIGINT' as const),
  }))
  beforeAll(async () => {
    await seed(stopPoints.flatMap((p) => params(p)))
  }, 120_000)

  it.each(stopPoints)('$signal during writes (after $at, concurrency $concurrency): exit 130 or 143, a resume hint, and a re-run finishes', async (p) => {
    const stopped = await runAndStop(p, p.signal)
    expect(stopped.code, stopped.stderr).toBe(p.signal === 'SIGINT' ? 130 : 143)
    expect(stopped.frozenAt.writes).toBeLessThan(PER_POINT)
    expect(stopped.stderr).toContain('Run the same command again to finish')
    expect(stopped.stdout + stopped.stderr).not.toMatch(/^\s{4}at /m)
    await expectSafe(p)
    const rerun = await runCli(args(p))
    expect(rerun.code).toBe(0)
    await expectSafe(p)
    const counts = await versionCounts(params(p).map((parameter) => target(p, parameter.name)))
    expect(counts.filter((count) => count !== 1)).toEqual([])
  })
})
