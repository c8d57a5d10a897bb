/**
 * rollback makes the previous version current again with a compare-and-swap on AWSCURRENT, against the
 * emulator: one stage move and no new version, a question at a terminal, --yes in a pipeline, and a
 * write that lands between the read and the move kept.
 */
import {describe, expect, it} from 'vitest'

import {runCli, uniqueEnv} from '../helpers/cli.js'
import {runCliInPty} from '../helpers/pty.js'

const env = uniqueEnv('rollback')

async function twoVersions(name: string): Promise<void> {
  expect((await runCli(['set', `${env}/api`, name], {input: 'first'})).code).toBe(0)
  expect((await runCli(['set', `${env}/api`, name], {input: 'second'})).code).toBe(0)
}

const stagesOf = async (name: string) => (JSON.parse((await runCli(['history', `${env}/api`, name, '--json'])).stdout) as {versions: Array<{versionId: string; stages: string[]}>}).versions

describe('secrets rollback', () => {
  it('makes AWSPREVIOUS current with --yes, writing no version, and a second rollback undoes the first', async () => {
    await twoVersions('DB_PASS')
    const before = await stagesOf('DB_PASS')
    const result = await runCli(['rollback', `${env}/api`, 'DB_PASS', '--yes', '--json'])
    expect(result.code).toBe(0)
    const json = JSON.parse(result.stdout) as {name: string; outcome: string; from: {versionId: string}; to: {versionId: string}}
    expect(json).toMatchObject({name: `/${env}/api/DB_PASS`, outcome: 'rolled-back'})
    expect((await runCli(['get', `${env}/api`, 'DB_PASS'])).stdout).toBe('first')
    const after = await stagesOf('DB_PASS')
    expect(after.map((version) => version.versionId).sort()).toEqual(before.map((version) => version.versionId).sort())
    expect(after.find((version) => version.stages.includes('AWSPREVIOUS'))?.versionId).toBe(json.from.versionId)
    expect((await runCli(['rollback', `${env}/api`, 'DB_PASS', '--yes'])).code).toBe(0)
    expect((await runCli(['get', `${env}/api`, 'DB_PASS'])).stdout).toBe('second')
  })

  it('in a pipeline without --yes: exit 2, nothing changed', async () => {
    await twoVersions('PIPED')
    const result = await runCli(['rollback', `${env}/api`, 'PIPED'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('Pass --yes to confirm.')
    expect((await runCli(['get', `${env}/api`, 'PIPED'])).stdout).toBe('second')
  })

  it('at a terminal, shows both versions\' dates and asks; no changes nothing', async () => {
    await twoVersions('ASKED')
    const no = await runCliInPty(['rollback', `${env}/api`, 'ASKED'], [{expect: 'current again, in place of the version of'}, {send: 'n\r'}])
    expect(no.exit).toBe(130)
    expect(no.output).toMatch(/Make the version of \d{4}-\d\d-\d\dT[\d:.]+Z current again, in place of the version of \d{4}-\d\d-\d\dT/)
    expect((await runCli(['get', `${env}/api`, 'ASKED'])).stdout).toBe('second')
    const yes = await runCliInPty(['rollback', `${env}/api`, 'ASKED'], [{expect: 'current again'}, {send: 'y\r'}])
    expect(yes.exit).toBe(0)
    expect((await runCli(['get', `${env}/api`, 'ASKED'])).stdout).toBe('first')
  })

  it('refuses what it cannot do before asking: no previous version (exit 3), an unknown --to-version (exit 3), the current one (exit 4)', async () => {
    expect((await runCli(['set', `${env}/api`, 'ONCE'], {input: 'only'})).code).toBe(0)
    const once = await runCliInPty(['rollback', `${env}/api`, 'ONCE'], [])
    expect(once.exit).toBe(3)
    expect(once.output).toContain('has no previous version (AWSPREVIOUS) to go back to.')
    expect(once.output).not.toContain('current again')
    const unknown = await runCli(['rollback', `${env}/api`, 'ONCE', '--to-version', 'a'.repeat(32), '--yes'])
    expect(unknown.code).toBe(3)
    expect(unknown.stderr).not.toContain('a'.repeat(32))
    const [current] = await stagesOf('ONCE')
    const same = await runCli(['rollback', `${env}/api`, 'ONCE', '--to-version', current.versionId, '--yes'])
    expect(same.code).toBe(4)
    expect(same.stderr).toContain('is already current')
  })
})
