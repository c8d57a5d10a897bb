import {beforeAll, describe, expect, it} from 'vitest'

import {runCli, uniqueEnv} from '../helpers/cli.js'

const VALUES = {new: 'canary-new-7a', same: 'canary-same-8b', changedFrom: 'canary-staging-9c', changedTo: 'canary-prod-0d'}

async function set(scope: string, name: string, value: string, extra: string[] = []): Promise<void> {
  const result = await runCli(['set', scope, name, ...extra], {input: value})
  expect(result.code, result.stderr).toBe(0)
}

async function get(scope: string, name: string): Promise<{code: number | null; stdout: string}> {
  return runCli(['get', scope, name])
}

async function versions(scope: string, name: string): Promise<number> {
  return JSON.parse((await runCli(['history', scope, name, '--json'])).stdout).versions.length
}

/** A staging/prod pair: NEW only in staging, SAME equal, CHANGED different. */
async function seed(label: string): Promise<{from: string; to: string}> {
  const from = `${uniqueEnv(`${label}s`)}/api`
  const to = `${uniqueEnv(`${label}p`)}/api`
  await set(from, 'NEW', VALUES.new, ['--description', 'a new key'])
  await set(from, 'SAME', VALUES.same)
  await set(to, 'SAME', VALUES.same)
  await set(from, 'CHANGED', VALUES.changedFrom)
  await set(to, 'CHANGED', VALUES.changedTo)
  return {from, to}
}

function expectNoValue(output: string): void {
  for (const value of Object.values(VALUES)) expect(output).not.toContain(value)
}

describe('secrets promote', () => {
  let pair: {from: string; to: string}
  beforeAll(async () => {
    pair = await seed('dry')
  })

  it('prints the plan on --dry-run and writes nothing', async () => {
    const result = await runCli(['promote', pair.from, pair.to, '--dry-run', '--on-conflict', 'overwrite'])
    expect(result.code).toBe(0)
    const rows = result.stdout.split('\n').map((line) => line.split(/\s{2,}/))
    expect(rows).toContainEqual(['NEW', `/${pair.to}/NEW`, 'create'])
    expect(rows).toContainEqual(['SAME', `/${pair.to}/SAME`, 'unchanged'])
    expect(rows).toContainEqual(['CHANGED', `/${pair.to}/CHANGED`, 'update'])
    expect(result.stdout).toContain('Dry run')
    expect(result.stderr).toContain('2 secrets would be written')
    expectNoValue(result.stdout + result.stderr)
    expect((await get(pair.to, 'NEW')).code).toBe(3)
    expect((await get(pair.to, 'CHANGED')).stdout).toBe(VALUES.changedTo)
  })

  it('stops before any write on a conflict under the default --on-conflict fail (exit 4)', async () => {
    const result = await runCli(['promote', pair.from, pair.to, '--yes', '--json'])
    expect(result.code).toBe(4)
    const report = JSON.parse(result.stdout)
    expect(report.items).toEqual([
      expect.objectContaining({name: 'CHANGED', plan: 'update', outcome: 'conflict'}),
      expect.objectContaining({name: 'NEW', plan: 'create', outcome: 'not-run'}),
      expect.objectContaining({name: 'SAME', plan: 'unchanged', outcome: 'unchanged'}),
    ])
    expect(report.hint).toMatch(/--on-conflict overwrite/)
    expectNoValue(result.stdout + result.stderr)
    expect((await get(pair.to, 'NEW')).code).toBe(3)
  })

  it('names --secret and --on-conflict skip before overwrite, and says what overwrite replaces', async () => {
    const result = await runCli(['promote', pair.from, pair.to, '--yes'])
    expect(result.code).toBe(4)
    const hint = result.stderr.slice(result.stderr.indexOf('Hint: '))
    const at = (text: string) => hint.indexOf(text)
    expect(at('--secret NAME')).toBeGreaterThan(-1)
    expect(at('--on-conflict skip')).toBeGreaterThan(at('--secret NAME'))
    expect(at('--on-conflict overwrite')).toBeGreaterThan(at('--on-conflict skip'))
    expect(hint).toContain(`--on-conflict overwrite replaces ${pair.to}'s current CHANGED`)
  })

  it('plans a target scheduled for deletion as a conflict: exit 4, nothing written, names secrets restore', async () => {
    const from = `${uniqueEnv('delps')}/api`
    const to = `${uniqueEnv('delpp')}/api`
    await set(from, 'GONE', VALUES.new)
    await set(from, 'OTHER', VALUES.same)
    await set(to, 'GONE', VALUES.changedTo)
    expect((await runCli(['delete', to, 'GONE', '--yes'])).code).toBe(0)
    for (const policy of ['fail', 'skip', 'overwrite']) {
      const result = await runCli(['promote', from, to, '--on-conflict', policy, '--yes', '--json'])
      expect(result.code, policy).toBe(4)
      const report = JSON.parse(result.stdout)
      expect(report.items).toEqual([
        expect.objectContaining({name: 'GONE', plan: 'conflict', outcome: 'conflict', reason: expect.stringContaining(`secrets restore /${to}/GONE`)}),
        expect.objectContaining({name: 'OTHER', plan: 'create', outcome: 'not-run'}),
      ])
      expect(report.hint).toContain(`secrets restore /${to}/GONE`)
    }

    expect((await get(to, 'OTHER')).code).toBe(3)
    expect((await runCli(['restore', to, 'GONE'])).code).toBe(0)
    expect((await get(to, 'GONE')).stdout).toBe(VALUES.changedTo)
  })

  it('copies only new secrets under --on-conflict skip, and exits 0: skipping is what was asked', async () => {
    const {from, to} = await seed('skip')
    const result = await runCli(['promote', from, to, '--on-conflict', 'skip', '--yes', '--json'])
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout)
    expect(report.totals).toMatchObject({created: 1, skipped: 1, unchanged: 1})
    expect((await get(to, 'NEW')).stdout).toBe(VALUES.new)
    expect((await get(to, 'CHANGED')).stdout).toBe(VALUES.changedTo)
  })

  it('copies new and changed values under --on-conflict overwrite, verified, and a re-run changes nothing', async () => {
    const {from, to} = await seed('over')
    const result = await runCli(['promote', from, to, '--on-conflict', 'overwrite', '--yes'])
    expect(result.code).toBe(0)
    const rows = result.stdout.split('\n').map((line) => line.split(/\s{2,}/))
    expect(rows).toContainEqual(['NEW', `/${to}/NEW`, 'created', 'verified'])
    expect(rows).toContainEqual(['CHANGED', `/${to}/CHANGED`, 'updated', 'verified'])
    expect(result.stdout).toContain('1 created, 1 updated, 1 unchanged')
    expectNoValue(result.stdout + result.stderr)
    expect((await get(to, 'NEW')).stdout).toBe(VALUES.new)
    expect((await get(to, 'CHANGED')).stdout).toBe(VALUES.changedFrom)
    expect((await runCli(['get', to, 'CHANGED', '--version-stage', 'AWSPREVIOUS'])).stdout).toBe(VALUES.changedTo)
    const listed = JSON.parse((await runCli(['list', to, '--json'])).stdout).secrets
    expect(listed).toContainEqual(expect.objectContaining({shortName: 'NEW', description: 'a new key'}))

    const again = await runCli(['promote', from, to, '--on-conflict', 'overwrite', '--json'])
    expect(again.code).toBe(0)
    expect(JSON.parse(again.stdout).totals).toMatchObject({items: 3, unchanged: 3})
    expect(await versions(to, 'NEW')).toBe(1)
    expect(await versions(to, 'CHANGED')).toBe(2)
    expect((await runCli(['diff', from, to])).code).toBe(0)
  })

  it('promotes only the --secret names', async () => {
    const {from, to} = await seed('one')
    const result = await runCli(['promote', from, to, '--secret', 'NEW', '--yes', '--json'])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).items).toEqual([expect.objectContaining({name: 'NEW', outcome: 'created', verified: true})])
    expect((await get(to, 'CHANGED')).stdout).toBe(VALUES.changedTo)
  })

  it('writes nothing when a --secret is missing from the source (exit 3)', async () => {
    const {from, to} = await seed('miss')
    const result = await runCli(['promote', from, to, '--secret', 'NEW', '--secret', 'NOPE', '--yes'])
    expect(result.code).toBe(3)
    expect(result.stdout).toMatch(/NOPE\s+\S+\s+missing-source/)
    expect(result.stderr).toContain('Nothing was written')
    expect((await get(to, 'NEW')).code).toBe(3)
  })

  it('requires --yes without a terminal, naming the flag, and writes nothing', async () => {
    const {from, to} = await seed('yes')
    const result = await runCli(['promote', from, to, '--secret', 'NEW'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('Pass --yes')
    expect((await get(to, 'NEW')).code).toBe(3)
  })

  it('prints only the summary with --quiet', async () => {
    const {from, to} = await seed('quiet')
    const result = await runCli(['promote', from, to, '--secret', 'NEW', '--yes', '--quiet'])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(`Promotion ${from} -> ${to}: 1 secret: 1 created.\n`)
    expect(result.stderr).toBe('')
  })

  it('refuses to promote a scope to itself, and an empty source', async () => {
    expect((await runCli(['promote', pair.from, pair.from, '--yes'])).code).toBe(2)
    const empty = await runCli(['promote', `${uniqueEnv('empty')}/api`, pair.to, '--yes'])
    expect(empty.code).toBe(3)
    expect(empty.stderr).toMatch(/has no secrets/)
  })
})
