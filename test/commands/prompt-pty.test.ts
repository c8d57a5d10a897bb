import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {runCli, uniqueEnv} from '../helpers/cli.js'
import {runCliInPty} from '../helpers/pty.js'

const env = uniqueEnv('pty')

describe('on a real terminal', () => {
  it('reads the value from a hidden prompt, typed twice, and never echoes it', async () => {
    const result = await runCliInPty(['set', `${env}/api`, 'DB_PASS'], [
      {expect: 'Value for'},
      {send: 'canary-typed-5e1\r'},
      {expect: 'Again'},
      {send: 'canary-typed-5e1\r'},
      {expect: 'created'},
    ])
    expect(result.failure).toBeNull()
    expect(result.exit).toBe(0)
    expect(result.output).not.toContain('canary-typed-5e1')
    const get = await runCli(['get', `${env}/api`, 'DB_PASS'])
    expect(get.stdout).toBe('canary-typed-5e1')
  })

  it('refuses two different values and writes nothing', async () => {
    const result = await runCliInPty(['set', `${env}/api`, 'MISMATCH'], [
      {expect: 'Value for'},
      {send: 'one\r'},
      {expect: 'Again'},
      {send: 'two\r'},
      {expect: 'differ'},
    ])
    expect(result.exit).toBe(2)
    expect((await runCli(['get', `${env}/api`, 'MISMATCH'])).code).toBe(3)
  })

  it('refuses an empty value at the first prompt and keeps asking, with no hint meant for a pipeline', async () => {
    const result = await runCliInPty(['set', `${env}/api`, 'EMPTY_FIRST'], [
      {expect: 'Value for'},
      {send: '\r'},
      {expect: 'An empty secret is refused'},
      {send: 'now-typed\r'},
      {expect: 'Again'},
      {send: 'now-typed\r'},
      {expect: 'created'},
    ])
    expect(result.failure).toBeNull()
    expect(result.exit).toBe(0)
    expect(result.output).not.toContain('run on a terminal')
    expect((await runCli(['get', `${env}/api`, 'EMPTY_FIRST'])).stdout).toBe('now-typed')
  })

  it('stops with exit 130 on Ctrl-C at the prompt, writing nothing', async () => {
    const result = await runCliInPty(['set', `${env}/api`, 'INTERRUPTED'], [{expect: 'Value for'}, {send: '\u0003'}])
    expect(result.exit).toBe(130)
    expect((await runCli(['get', `${env}/api`, 'INTERRUPTED'])).code).toBe(3)
  })

  it('asks before deleting and keeps the secret when the answer is no', async () => {
    await runCli(['set', `${env}/api`, 'KEEP'], {input: 'keep'})
    const result = await runCliInPty(['delete', `${env}/api`, 'KEEP'], [{expect: 'Delete'}, {send: 'n\r'}, {expect: 'nothing was deleted'}])
    expect(result.exit).toBe(130)
    expect((await runCli(['get', `${env}/api`, 'KEEP'])).stdout).toBe('keep')
  })

  it('deletes after a yes', async () => {
    await runCli(['set', `${env}/api`, 'DROP'], {input: 'drop'})
    const result = await runCliInPty(['delete', `${env}/api`, 'DROP'], [{expect: 'Delete'}, {send: 'y\r'}, {expect: 'scheduled'}])
    expect(result.exit).toBe(0)
    expect((await runCli(['get', `${env}/api`, 'DROP'])).code).toBe(4)
  })

  it('adds a newline after the value only because stdout is a terminal', async () => {
    await runCli(['set', `${env}/api`, 'NL'], {input: 'no-newline-stored'})
    const result = await runCliInPty(['get', `${env}/api`, 'NL'], [{expect: 'no-newline-stored\r\n'}])
    expect(result.exit).toBe(0)
  })

  it('shows a migration with a spinner, pausing it for the plan, and ends with the summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'secrets-pty-'))
    writeFileSync(join(dir, '.env'), 'ONE=1\nTWO="two words"\n')
    const result = await runCliInPty(['migrate', '--from-dotenv', join(dir, '.env'), '--to', `${env}/mig`], [{expect: 'Plan'}, {expect: 'Write 2 secrets'}, {send: 'y\r'}, {expect: '2 created'}])
    expect(result.failure).toBeNull()
    expect(result.exit).toBe(0)
    expect(result.output).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/) // ora's first frame is drawn as it starts
    expect((await runCli(['get', `${env}/mig`, 'TWO'])).stdout).toBe('two words')
  })
})
