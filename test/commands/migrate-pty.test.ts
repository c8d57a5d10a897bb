import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {createFunction, functionConfiguration, parameterNames, secretValues, seed} from '../fixtures/migrate-helpers.js'
import {emulatorEndpoint, runCli, uniqueEnv} from '../helpers/cli.js'
import {type LambdaRevisionProxy, startLambdaRevisionProxy} from '../helpers/lambda-revisions.js'
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

describe('secrets migrate --from-lambda --remove-from-source on a terminal', () => {
  const variables = {DB_PASSWORD: 'pty lambda password', API_TOKEN: 'pty-lambda-token-77', LOG_LEVEL: 'info'}
  let proxy: LambdaRevisionProxy

  // The proxy plays AWS's RevisionId, which the emulator lacks (test/helpers/lambda-revisions.ts). One
  // per test: a test reads the updates its proxy saw, which must be its own runs' alone.
  beforeEach(async () => {
    proxy = await startLambdaRevisionProxy(emulatorEndpoint())
  })
  afterEach(async () => proxy.close())

  it('asks naming the exact variables (default no): "n" and Enter change nothing, "y" removes them and keeps the rest', async () => {
    const name = `${E}-fn`
    await createFunction(name, variables)
    const args = ['migrate', '--from-lambda', name, '--to', `${E}/fn`, '--remove-from-source']
    const env = {AWS_ENDPOINT_URL: proxy.endpoint}
    // The question names every variable it would remove (the rest of it wraps at the terminal's width).
    const question = 'Remove API_TOKEN, DB_PASSWORD from the environment'
    const declined = await runCliInPty(args, [{expect: 'Will remove 2 variables'}, {expect: String.raw`Write 2 secrets to ${E}/fn`}, {send: 'y\r'}, {expect: question}, {expect: String.raw`\(y/N\)`}, {send: 'n\r'}, {expect: 'Migration: '}], env)
    expect(declined.failure).toBeNull()
    expect(declined.exit).toBe(0)
    expect(declined.output).toContain('2 variables kept')
    expect(declined.output).not.toContain('pty lambda password')
    expect((await functionConfiguration(name)).Environment?.Variables).toEqual(variables)

    const enter = await runCliInPty(args, [{expect: String.raw`\(y/N\)`}, {send: '\r'}, {expect: 'Migration: '}], env)
    expect(enter.exit).toBe(0)
    expect((await functionConfiguration(name)).Environment?.Variables).toEqual(variables)
    expect(proxy.updates).toEqual([])

    const accepted = await runCliInPty(args, [{expect: String.raw`\(y/N\)`}, {send: 'y\r'}, {expect: '2 variables removed'}], env)
    expect(accepted.failure).toBeNull()
    expect(accepted.exit).toBe(0)
    expect((await functionConfiguration(name)).Environment?.Variables).toEqual({LOG_LEVEL: 'info'})
    expect((await secretValues([`/${E}/fn/DB_PASSWORD`])).get(`/${E}/fn/DB_PASSWORD`)).toBe('pty lambda password')
  })

  it('does not ask with --yes', async () => {
    const other = `${E}-fn-yes`
    await createFunction(other, variables)
    const result = await runCliInPty(['migrate', '--from-lambda', other, '--to', `${E}/fnyes`, '--remove-from-source', '--yes'], [{expect: '2 variables removed'}], {AWS_ENDPOINT_URL: proxy.endpoint})
    expect(result.failure).toBeNull()
    expect(result.output).not.toContain('(y/N)')
    expect((await functionConfiguration(other)).Environment?.Variables).toEqual({LOG_LEVEL: 'info'})
  })
})
