/**
 * `migrate` killed with SIGKILL at seeded points across plan, write, verify and delete-source, against
 * the emulator. After every kill: every source parameter that was not verified-then-deleted is still
 * there with its value, every target that exists holds the complete, correct value; re-running the
 * same command converges with nothing lost and exactly one version per secret.
 */
import {spawn} from 'node:child_process'

import {GetParametersByPathCommand} from '@aws-sdk/client-ssm'
import {ListSecretVersionIdsCommand} from '@aws-sdk/client-secrets-manager'
import pLimit from 'p-limit'
import {beforeAll, describe, expect, it} from 'vitest'

import {secretsManagerClient} from '../../src/aws/clients.js'
import {secretStore, seed, ssm} from '../fixtures/migrate-helpers.js'
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
/** The stderr line (no TTY: plain progress) after which the delay starts; plan counts from spawn. */
const TRIGGER: Record<Phase, RegExp | undefined> = {
  plan: undefined,
  write: /^writing \d+ secrets?$/m,
  verify: /verifying$/m,
  'delete-source': /deleting source parameters$/m,
}

interface KillPoint {
  index: number
  phase: Phase
  delayMs: number
  concurrency: number
  deleteSource: boolean
}

const random = prng(SEED)
const PHASES: Phase[] = ['plan', 'write', 'verify', 'delete-source']
const points: KillPoint[] = Array.from({length: POINTS}, (_, index) => {
  const phase = PHASES[index % PHASES.length]
  return {
    index,
    phase,
    delayMs: Math.floor(random() * (phase === 'plan' ? 400 : phase === 'write' ? 250 : 30)),
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

function runAndKill(p: KillPoint, signal: NodeJS.Signals = 'SIGKILL'): Promise<{code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; sent: boolean}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args(p)], {cwd: ROOT, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    let sent = false
    let armed = false
    const arm = () => {
      if (armed) return
      armed = true
      setTimeout(() => {
        sent = child.exitCode === null
        child.kill(signal)
      }, p.delayMs)
    }

    const trigger = TRIGGER[p.phase]
    if (!trigger) arm()
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      if (trigger?.test(stderr)) arm()
    })
    child.on('error', reject)
    child.on('close', (code, killedBy) => resolve({code, signal: killedBy, stdout, stderr, sent}))
  })
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

const outcomes: {point: KillPoint; killed: boolean; phaseSeen: string}[] = []
let finishedBeforeKill = 0

describe(`migrate killed with SIGKILL at ${POINTS} seeded points (seed ${SEED})`, () => {
  beforeAll(async () => {
    await seed(points.flatMap((p) => params(p)))
  }, 300_000)

  it.each(points)('point $index: $phase +$delayMs ms, concurrency $concurrency, delete-source $deleteSource', async (p) => {
    const killed = await runAndKill(p)
    const landed = killed.signal === 'SIGKILL'
    outcomes.push({point: p, killed: landed, phaseSeen: killed.stderr.trim().split('\n').pop() ?? ''})
    if (!landed) expect(killed.code, killed.stderr).toBe(0)
    await expectSafe(p)

    // Even when the kill came after the last source was deleted, the same command finishes with 0.
    const rerun = await runCli(args(p))
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0)
    if (/Nothing is left under/.test(rerun.stdout + rerun.stderr)) finishedBeforeKill += 1

    await expectSafe(p)
    const targets = await targetValues(p)
    for (const parameter of params(p)) expect(targets.get(target(p, parameter.name))).toBe(parameter.value)
    const counts = await versionCounts(params(p).map((parameter) => target(p, parameter.name)))
    expect(counts.filter((count) => count !== 1), 'secrets with other than one version').toEqual([])
    if (p.deleteSource) expect((await ssmValues(path(p))).size).toBe(0)
  })

  it('landed at least 20 kills, in every phase', () => {
    const landed = outcomes.filter((outcome) => outcome.killed)
    console.info(
      `kill points: ${landed.length} of ${outcomes.length} kills landed (seed ${SEED}); by phase: ${PHASES.map((phase) => `${phase} ${landed.filter((o) => o.point.phase === phase).length}`).join(', ')}; ${finishedBeforeKill} killed after the last source was deleted`,
    )
    expect(landed.length).toBeGreaterThanOrEqual(20)
    for (const phase of PHASES) expect(landed.some((outcome) => outcome.point.phase === phase), phase).toBe(true)
  })
})

describe('migrate stopped with SIGINT', () => {
  const sigintPoints: KillPoint[] = [0, 1, 2].map((i) => ({index: 100 + i, phase: 'write', delayMs: Math.floor(random() * 150), concurrency: [1, 4, 8][i], deleteSource: i === 1}))
  beforeAll(async () => {
    await seed(sigintPoints.flatMap((p) => params(p)))
  }, 120_000)

  it.each(sigintPoints)('during writes (+$delayMs ms, concurrency $concurrency): exit 130, a resume hint, and a re-run finishes', async (p) => {
    const stopped = await runAndKill(p, 'SIGINT')
    expect(stopped.code, stopped.stderr).toBe(130)
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
