import {describe, expect, it} from 'vitest'

import {runCli, uniqueEnv} from '../helpers/cli.js'
import {runCliInPty} from '../helpers/pty.js'

const env = uniqueEnv('kvpty')
const DOC = '{"username":"admin","password":"canary-kv-pty-4d1"}'

describe('a whole-value set over a key/value secret, on a terminal', () => {
  it('warns that every field is replaced, and keeps the secret when the answer is no', async () => {
    await runCli(['set', `${env}/api`, 'DB'], {input: DOC})
    const result = await runCliInPty(['set', `${env}/api`, 'DB'], [
      {expect: 'Value for'},
      {send: 'plain\r'},
      {expect: 'Again'},
      {send: 'plain\r'},
      {expect: 'Replace every field'},
      {send: 'n\r'},
      {expect: 'nothing was written'},
    ])
    expect(result.failure).toBeNull()
    expect(result.exit).toBe(130)
    expect(result.output).toContain('replaces every field')
    expect(result.output).toContain('username, password')
    expect(result.output).not.toContain('canary-kv-pty')
    expect((await runCli(['get', `${env}/api`, 'DB'])).stdout).toBe(DOC)
  })

  it('replaces the value after a yes', async () => {
    await runCli(['set', `${env}/api`, 'DB2'], {input: DOC})
    const result = await runCliInPty(['set', `${env}/api`, 'DB2'], [
      {expect: 'Value for'},
      {send: 'plain\r'},
      {expect: 'Again'},
      {send: 'plain\r'},
      {expect: 'Replace every field'},
      {send: 'y\r'},
      {expect: 'updated'},
    ])
    expect(result.exit).toBe(0)
    expect((await runCli(['get', `${env}/api`, 'DB2'])).stdout).toBe('plain')
  })
})

describe('set --generate --show on a terminal', () => {
  it('prints the generated value it stored', async () => {
    const result = await runCliInPty(['set', `${env}/api`, 'GEN', '--generate', '--show', '--length', '24', '--exclude-punctuation'], [{expect: 'created'}])
    expect(result.exit).toBe(0)
    const stored = (await runCli(['get', `${env}/api`, 'GEN'])).stdout
    expect(stored).toMatch(/^[A-Za-z0-9]{24}$/)
    expect(result.output).toContain(stored)
  })
})

