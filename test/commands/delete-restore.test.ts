/**
 * delete and restore say what really happened (issue 22), with the exit codes of the table: 2 for
 * contradictory flags, 3 for a secret that does not exist (with --force too), 4 for a state the
 * command cannot act on (already scheduled, not scheduled).
 */
import {describe, expect, it} from 'vitest'

import {runCli, uniqueEnv} from '../helpers/cli.js'
import {runCliInPty} from '../helpers/pty.js'

const env = uniqueEnv('delrest')

describe('delete and restore say what really happened', () => {
  it('refuses --force with --recovery-days as contradictory, before anything is asked or called', async () => {
    const result = await runCli(['delete', `${env}/api`, 'X', '--force', '--recovery-days', '7', '--yes'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--force and --recovery-days cannot be used together.')
  })

  it('on a secret already scheduled: exit 4, suggesting --force to delete it now and restore to keep it', async () => {
    await runCli(['set', `${env}/api`, 'TWICE'], {input: 'v'})
    expect((await runCli(['delete', `${env}/api`, 'TWICE', '--yes'])).code).toBe(0)
    const again = await runCli(['delete', `${env}/api`, 'TWICE', '--yes'])
    expect(again.code).toBe(4)
    expect(again.stderr).toContain(`already scheduled for deletion`)
    expect(again.stderr).toContain(`"secrets delete /${env}/api/TWICE --force"`)
    expect(again.stderr).toContain(`"secrets restore /${env}/api/TWICE"`)
    const now = await runCli(['delete', `${env}/api`, 'TWICE', '--force', '--yes'])
    expect(now.code).toBe(0)
    expect(now.stdout).toBe(`deleted /${env}/api/TWICE\n`)
  })

  it('delete --force on a secret that does not exist: exit 3, as without --force', async () => {
    for (const force of [['--force'], []]) {
      const result = await runCli(['delete', `${env}/api`, 'NEVER_THERE', ...force, '--yes'])
      expect(result.code, force.join(' ')).toBe(3)
      expect(result.stdout).not.toContain('deleted')
    }
  })

  it('at a terminal, checks before asking: a missing secret is exit 3 and a scheduled one exit 4, with no question', async () => {
    await runCli(['set', `${env}/api`, 'ASKED'], {input: 'v'})
    expect((await runCli(['delete', `${env}/api`, 'ASKED', '--yes'])).code).toBe(0)
    const missing = await runCliInPty(['delete', `${env}/api`, 'NOPE'], [])
    expect(missing.exit).toBe(3)
    expect(missing.output).toContain('was not found')
    expect(missing.output).not.toContain('Delete ')
    const scheduled = await runCliInPty(['delete', `${env}/api`, 'ASKED'], [])
    expect(scheduled.exit).toBe(4)
    expect(scheduled.output).toContain('already scheduled for deletion')
    expect(scheduled.output).not.toContain('recoverable for')
    // In a pipeline the check comes before the missing --yes too: the answer is about the secret.
    expect((await runCli(['delete', `${env}/api`, 'NOPE'])).code).toBe(3)
  })

  it('at a terminal, asks about a secret that can be deleted, and answering no deletes nothing', async () => {
    await runCli(['set', `${env}/api`, 'KEPT'], {input: 'v'})
    const result = await runCliInPty(['delete', `${env}/api`, 'KEPT'], [{expect: 'recoverable for 30 days'}, {send: 'n\r'}])
    expect(result.exit).toBe(130)
    expect((await runCli(['get', `${env}/api`, 'KEPT'])).code).toBe(0)
  })

  it('restore on a live secret: exit 4, nothing restored', async () => {
    await runCli(['set', `${env}/api`, 'LIVE'], {input: 'v'})
    const result = await runCli(['restore', `${env}/api`, 'LIVE'])
    expect(result.code).toBe(4)
    expect(result.stderr).toContain('is not scheduled for deletion; nothing was restored.')
    expect(result.stdout).toBe('')
  })
})


describe('list --include-deleted', () => {
  it('labels a secret whose deletion is still to come as scheduled, with its date', async () => {
    await runCli(['set', `${env}/listed`, 'GOING'], {input: 'v'})
    expect((await runCli(['delete', `${env}/listed`, 'GOING', '--yes', '--recovery-days', '7'])).code).toBe(0)
    const result = await runCli(['list', `${env}/listed`, '--include-deleted'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(new RegExp(`/${env}/listed/GOING \\(scheduled for deletion on \\d{4}-\\d\\d-\\d\\d`))
    expect(result.stdout).not.toContain('(deleted ')
  })
})
