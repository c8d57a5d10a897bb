import {describe, expect, it} from 'vitest'

import {runCli, uniqueEnv} from '../helpers/cli.js'
import {runCliInPty, screenLines} from '../helpers/pty.js'

describe('secrets promote on a terminal', () => {
  it('shows the plan, asks, and copies only after "y"; "n" writes nothing', async () => {
    const from = `${uniqueEnv('ptys')}/api`
    const to = `${uniqueEnv('ptyp')}/api`
    expect((await runCli(['set', from, 'NEW'], {input: 'canary-pty-value'})).code).toBe(0)

    const declined = await runCliInPty(['promote', from, to], [{expect: `Copy 1 secret from ${from} to ${to}?`}, {send: 'n\r'}, {expect: 'nothing was written'}])
    expect(declined.failure).toBeNull()
    expect(declined.exit).toBe(130)
    expect((await runCli(['get', to, 'NEW'])).code).toBe(3)

    // At a terminal: a summary with the cost, and no result row for what went as planned.
    const accepted = await runCliInPty(['promote', from, to], [{expect: 'Plan: 1 secret: 1 create.'}, {expect: String.raw`1 new secret x \$0.40 = \$0.40 a month`}, {expect: '(y/N)'}, {send: 'y\r'}, {expect: '1 created'}])
    expect(accepted.failure).toBeNull()
    expect(accepted.exit).toBe(0)
    expect(accepted.output).not.toMatch(/NEW\s+\S+\s+(\S*)created/)
    expect(accepted.output).not.toContain('canary-pty-value')
    expect((await runCli(['get', to, 'NEW'])).stdout).toBe('canary-pty-value')
  })

  it('--verbose shows every row of the plan and the result', async () => {
    const from = `${uniqueEnv('ptyv')}/api`
    const to = `${uniqueEnv('ptyw')}/api`
    expect((await runCli(['set', from, 'NEWER'], {input: 'verbose-pty-value'})).code).toBe(0)
    const verbose = await runCliInPty(['promote', from, to, '--verbose'], [{expect: '(y/N)'}, {send: 'y\r'}, {expect: '1 created'}])
    expect(verbose.failure).toBeNull()
    expect(verbose.output).toMatch(/NEWER\s+\S+\s+(\S*)create\b/)
    expect(verbose.output).toMatch(/NEWER\s+\S+\s+(\S*)created/)
  })

  it('names every secret it is about to copy when the plan fits on the screen, its prose within the width', async () => {
    const from = `${uniqueEnv('ptyn')}/api`
    const to = `${uniqueEnv('ptyo')}/api`
    for (const name of ['FIRST_TOKEN', 'SECOND_TOKEN', 'THIRD_TOKEN']) expect((await runCli(['set', from, name], {input: `${name} pty value`})).code).toBe(0)
    const run = await runCliInPty(['promote', from, to], [{expect: String.raw`\(y/N\)`}, {send: 'n\r'}, {expect: 'nothing was written'}])
    expect(run.failure).toBeNull()
    const plan = run.output.slice(0, run.output.indexOf('(y/N)'))
    expect(plan).toContain('Plan: 3 secrets: 3 create.')
    for (const name of ['FIRST_TOKEN', 'SECOND_TOKEN', 'THIRD_TOKEN']) expect(plan).toMatch(new RegExp(`${name}\\s+/${to}/${name}\\s+\\S*create`))
    expect(plan).not.toContain('not shown')
    // The terminal of test/helpers/pty_run.py is 100 columns wide: the cost line breaks between words.
    // A spinner frame (shown only when planning is slow) is redrawn from column 1, not beside the last one.
    const lines = screenLines(plan)
    expect(lines.some((line) => line.startsWith('Estimated cost: 3 new secrets'))).toBe(true)
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(100)
  })
})
