import {describe, expect, it} from 'vitest'

import {runCli, uniqueEnv} from '../helpers/cli.js'
import {runCliInPty} from '../helpers/pty.js'

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
})
