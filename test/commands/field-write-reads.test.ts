/**
 * After a field write (which moves AWSCURRENT with UpdateSecretVersionStage), every command reads the
 * new value on the emulator as on AWS: `get --all` and `diff --fields` read in batches, and moto's
 * BatchGetSecretValue answers the version it last wrote unless the store asks for AWSCURRENT.
 */
import {describe, expect, it} from 'vitest'

import {runCli, uniqueEnv} from '../helpers/cli.js'

const env = uniqueEnv('fieldread')
const DOC = '{"username":"admin","password":"old-pw"}'

async function seed(address: string, text: string): Promise<void> {
  const result = await runCli(['set', address], {input: text})
  expect(result.code, result.stderr).toBe(0)
}

describe('reads after a field write', () => {
  it('get --all shows the value the field write made current', async () => {
    await seed(`/${env}/api/DB`, DOC)
    const set = await runCli(['set', `${env}/api`, 'DB', '--field', 'password'], {input: 'new-pw'})
    expect(set.code, set.stderr).toBe(0)
    const all = await runCli(['get', `${env}/api`, '--all'])
    expect(all.code, all.stderr).toBe(0)
    expect(JSON.parse(all.stdout)).toEqual({DB: '{"username":"admin","password":"new-pw"}'})
  })

  it('diff --fields names the field a field write changed', async () => {
    await seed(`/${env}-left/api/DB`, DOC)
    await seed(`/${env}-right/api/DB`, DOC)
    const set = await runCli(['set', `${env}-right/api`, 'DB', '--field', 'password'], {input: 'new-pw'})
    expect(set.code, set.stderr).toBe(0)
    const diff = await runCli(['diff', `${env}-left/api`, `${env}-right/api`, '--fields', '--json'])
    expect(diff.code, diff.stdout + diff.stderr).toBe(8)
    expect(diff.stdout).toContain('password')
    expect(diff.stdout).not.toContain('username')
    expect(diff.stdout + diff.stderr).not.toContain('new-pw')
  })
})
