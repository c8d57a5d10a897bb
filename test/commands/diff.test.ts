import {beforeAll, describe, expect, it} from 'vitest'

import {runCli, uniqueEnv} from '../helpers/cli.js'

const staging = uniqueEnv('diffs')
const prod = uniqueEnv('diffp')
const ANSI = /\u001B\[/
/** Values that must never appear in any output. */
const VALUES = ['canary-only-left-1f', 'canary-same-2e', 'canary-left-3d', 'canary-right-4c', 'canary-only-right-5b']

async function set(scope: string, name: string, value: string): Promise<void> {
  const result = await runCli(['set', scope, name], {input: value})
  expect(result.code, result.stderr).toBe(0)
}

beforeAll(async () => {
  await set(`${staging}/api`, 'ONLY_LEFT', VALUES[0])
  await set(`${staging}/api`, 'SAME', VALUES[1])
  await set(`${prod}/api`, 'SAME', VALUES[1])
  await set(`${staging}/api`, 'CHANGED', VALUES[2])
  await set(`${prod}/api`, 'CHANGED', VALUES[3])
  await set(`${prod}/api`, 'ONLY_RIGHT', VALUES[4])
  // Neighbours that an inexact listing would pick up.
  await set(`${staging}/api2`, 'NEIGHBOUR', 'n')
  await set(`${staging}/equal`, 'X', 'same')
  await set(`${prod}/equal`, 'X', 'same')
})

function expectNoValue(output: string): void {
  for (const value of VALUES) expect(output).not.toContain(value)
}

describe('secrets diff', () => {
  it('reports only-left, only-right, equal and different, then exits 8', async () => {
    const result = await runCli(['diff', `${staging}/api`, `${prod}/api`])
    expect(result.code).toBe(8)
    const rows = result.stdout.split('\n').map((line) => line.split(/\s{2,}/))
    expect(rows).toContainEqual(['CHANGED', 'different'])
    expect(rows).toContainEqual(['ONLY_LEFT', `only in ${staging}/api`])
    expect(rows).toContainEqual(['ONLY_RIGHT', `only in ${prod}/api`])
    expect(rows).toContainEqual(['SAME', 'equal'])
    expect(result.stdout).toContain(`${staging}/api and ${prod}/api differ: 1 only in ${staging}/api, 1 only in ${prod}/api, 1 different, 1 equal.`)
    expect(result.stdout).not.toContain('NEIGHBOUR')
    // The next step, once, on stderr.
    expect(result.stderr).toBe(`Hint: "secrets promote ${staging}/api ${prod}/api --dry-run" shows what copying would change.\n`)
    expect(result.stdout + result.stderr).not.toMatch(ANSI)
    expectNoValue(result.stdout + result.stderr)
  })

  it('keeps the JSON report on stdout when the scopes differ, with names and states only', async () => {
    const result = await runCli(['diff', `${staging}/api`, `${prod}/api`, '--json'])
    expect(result.code).toBe(8)
    const report = JSON.parse(result.stdout)
    expect(report).toEqual({
      left: `${staging}/api`,
      right: `${prod}/api`,
      equal: false,
      counts: {'only-left': 1, 'only-right': 1, equal: 1, different: 1},
      secrets: [
        {name: 'CHANGED', state: 'different'},
        {name: 'ONLY_LEFT', state: 'only-left'},
        {name: 'ONLY_RIGHT', state: 'only-right'},
        {name: 'SAME', state: 'equal'},
      ],
    })
    expect(result.stderr).toBe('')
    // No digest either: a short value's SHA-256 can be guessed.
    expect(result.stdout).not.toMatch(/[0-9a-f]{64}/)
    expectNoValue(result.stdout)
  })

  it('exits 0 when both scopes hold the same names and values', async () => {
    const result = await runCli(['diff', `${staging}/equal`, `${prod}/equal`])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('equal: 1 equal.')
    const json = await runCli(['diff', `${staging}/equal`, `${prod}/equal`, '--json'])
    expect(json.code).toBe(0)
    expect(JSON.parse(json.stdout)).toMatchObject({equal: true, secrets: [{name: 'X', state: 'equal'}]})
  })

  it('refuses two empty scopes (misspelt, most likely) with exit 3 naming both, even with --quiet', async () => {
    const result = await runCli(['diff', `${staging}/none`, `${prod}/none`, '--quiet'])
    expect(result.code).toBe(3)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain(`Both ${staging}/none and ${prod}/none hold no secrets`)
    expect(result.stderr).toContain('--allow-empty')
    const json = await runCli(['diff', `${staging}/none`, `${prod}/none`, '--json'])
    expect(json.code).toBe(3)
    expect(JSON.parse(json.stdout).error.message).toContain('hold no secrets')
  })

  it('refuses one empty scope with exit 3 naming it, and compares it with --allow-empty', async () => {
    const result = await runCli(['diff', `${staging}/api`, `${prod}/typo`])
    expect(result.code).toBe(3)
    expect(result.stderr).toContain(`${prod}/typo holds no secrets`)
    expect(result.stderr).not.toContain(`${staging}/api holds`)
    const allowed = await runCli(['diff', `${staging}/api`, `${prod}/typo`, '--allow-empty', '--quiet'])
    expect(allowed.code).toBe(8)
    const both = await runCli(['diff', `${staging}/none`, `${prod}/none`, '--allow-empty'])
    expect(both.code).toBe(0)
    expect(both.stdout).toContain('both empty')
  })

  it('prints nothing with --quiet and says the outcome by exit code', async () => {
    const differ = await runCli(['diff', `${staging}/api`, `${prod}/api`, '--quiet'])
    expect(differ).toMatchObject({code: 8, stdout: '', stderr: ''})
    const same = await runCli(['diff', `${staging}/equal`, `${prod}/equal`, '-q'])
    expect(same).toMatchObject({code: 0, stdout: '', stderr: ''})
  })

  it('colours the states only when asked by FORCE_COLOR, and never under NO_COLOR', async () => {
    const forced = await runCli(['diff', `${staging}/api`, `${prod}/api`], {env: {FORCE_COLOR: '1'}})
    expect(forced.code).toBe(8)
    expect(forced.stdout).toMatch(ANSI)
    // Colour codes do not disturb the columns.
    expect(forced.stdout.replaceAll(/\u001B\[[\d;]*m/g, '')).toContain('SAME        equal')
    const none = await runCli(['diff', `${staging}/api`, `${prod}/api`], {env: {NO_COLOR: '1'}})
    expect(none.stdout + none.stderr).not.toMatch(ANSI)
    const json = await runCli(['diff', `${staging}/api`, `${prod}/api`, '--json'], {env: {FORCE_COLOR: '1'}})
    expect(JSON.parse(json.stdout).equal).toBe(false)
  })

  it('refuses an invalid scope with exit 2 before any AWS call', async () => {
    const result = await runCli(['diff', `${staging}/a*pi`, `${prod}/api`, '--endpoint-url', 'http://127.0.0.1:1'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/the service "a\*pi" contains "\*"/)
  })
})
