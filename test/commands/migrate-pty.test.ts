import {describe, expect, it} from 'vitest'

import {parameterNames, secretValues, seed} from '../fixtures/migrate-helpers.js'
import {runCli, uniqueEnv} from '../helpers/cli.js'
import {runCliInPty} from '../helpers/pty.js'

const E = uniqueEnv('mpty')

describe('secrets migrate --delete-source on a terminal', () => {
  it('asks before the first deletion: "n" (or Enter) deletes nothing, "y" deletes', async () => {
    const name = `/${E}/ask/SMTP_PASSWORD`
    await seed([{name, value: 'pty smtp password', type: 'SecureString'}])
    const args = ['migrate', '--from-ssm', `/${E}/ask`, '--delete-source']

    // The first run asks about writing (issue 19), then, after the verification, about deleting; the
    // later runs find the secret unchanged, so only the deletion is asked.
    const writeFirst = [{expect: String.raw`Write 1 secret to ${E}`}, {send: 'y\r'}]
    const declined = await runCliInPty(args, [
      {expect: 'Will delete 1 source parameter'},
      ...writeFirst,
      {expect: String.raw`Delete 1 source parameter from SSM now that its secret verified\?`},
      {expect: String.raw`\(y/N\)`},
      {send: 'n\r'},
      {expect: 'Migration: '},
    ])
    expect(declined.failure).toBeNull()
    expect(declined.exit).toBe(0)
    expect(declined.output).toContain('1 source kept')
    expect(declined.output).not.toContain('pty smtp password')
    expect(await parameterNames(`/${E}/ask`)).toEqual([name])
    expect((await secretValues([name])).get(name)).toBe('pty smtp password')

    const enter = await runCliInPty(args, [{expect: 'Delete 1 source'}, {expect: String.raw`\(y/N\)`}, {send: '\r'}, {expect: 'Migration: '}])
    expect(enter.exit).toBe(0)
    expect(await parameterNames(`/${E}/ask`)).toEqual([name])

    const accepted = await runCliInPty(args, [{expect: 'Delete 1 source'}, {expect: String.raw`\(y/N\)`}, {send: 'y\r'}, {expect: '1 source deleted'}])
    expect(accepted.failure).toBeNull()
    expect(accepted.exit).toBe(0)
    expect(await parameterNames(`/${E}/ask`)).toEqual([])
  })

  it('does not ask with --yes, nor without a terminal (the flag is the decision there)', async () => {
    await seed([
      {name: `/${E}/yes/A_TOKEN`, value: 'pty token a', type: 'SecureString'},
      {name: `/${E}/pipe/B_TOKEN`, value: 'pty token b', type: 'SecureString'},
    ])
    const withYes = await runCliInPty(['migrate', '--from-ssm', `/${E}/yes`, '--delete-source', '--yes'], [{expect: '1 source deleted'}])
    expect(withYes.failure).toBeNull()
    expect(withYes.output).not.toContain('(y/N)')
    expect(await parameterNames(`/${E}/yes`)).toEqual([])
    const piped = await runCli(['migrate', '--from-ssm', `/${E}/pipe`, '--delete-source'])
    expect(piped.code).toBe(0)
    expect(await parameterNames(`/${E}/pipe`)).toEqual([])
  })
})
