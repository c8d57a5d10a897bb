import {mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {beforeAll, describe, expect, it} from 'vitest'

import {closedPort} from '../helpers/emulator.js'
import {runCli, uniqueEnv} from '../helpers/cli.js'

const env = uniqueEnv('every')
const ANSI = /\u001B\[/

async function closedEndpoint(): Promise<string> {
  return `http://127.0.0.1:${await closedPort()}`
}

describe('set', () => {
  it('stores a value from stdin, dropping exactly one trailing newline', async () => {
    const set = await runCli(['set', `${env}/api`, 'DB_PASS'], {input: 'hunter2\n\n'})
    expect(set.code).toBe(0)
    expect(set.stdout).toMatch(new RegExp(`^created /${env}/api/DB_PASS`))
    const get = await runCli(['get', `${env}/api`, 'DB_PASS'])
    expect(get.stdout).toBe('hunter2\n')
    expect(get.stderr).toBe('')
  })

  it('drops one CRLF and keeps the rest', async () => {
    await runCli(['set', `${env}/api`, 'CRLF'], {input: ' spaced \r\n'})
    expect((await runCli(['get', `${env}/api`, 'CRLF'])).stdout).toBe(' spaced ')
  })

  it('says unchanged and writes no version when the value is identical', async () => {
    await runCli(['set', `${env}/api`, 'SAME'], {input: 'v1'})
    const again = await runCli(['set', `${env}/api`, 'SAME', '--json'], {input: 'v1\n'})
    expect(JSON.parse(again.stdout)).toMatchObject({outcome: 'unchanged', name: `/${env}/api/SAME`})
    const history = JSON.parse((await runCli(['history', `${env}/api`, 'SAME', '--json'])).stdout)
    expect(history.versions).toHaveLength(1)
  })

  it('reads --from-file as exact bytes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'secrets-test-'))
    const file = join(dir, 'key.pem')
    const bytes = Buffer.from('-----BEGIN KEY-----\nabc\n-----END KEY-----\n\n')
    await writeFile(file, bytes)
    expect((await runCli(['set', `/${env}/api/TLS_KEY`, '--from-file', file])).code).toBe(0)
    expect((await runCli(['get', `/${env}/api/TLS_KEY`])).stdoutBytes).toEqual(bytes)
  })

  it('refuses a value given on the command line, without echoing it, and writes nothing', async () => {
    for (const args of [
      ['set', `${env}/api`, 'ARGV', 'canary-argv-9d2'],
      ['set', `/${env}/api/ARGV`, 'canary-argv-9d2'],
    ]) {
      const result = await runCli(args, {input: 'from-stdin'})
      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(/does not take the value as an argument/)
      expect(result.stderr).toMatch(/stdin|--from-file/)
      expect(result.stdout + result.stderr).not.toContain('canary-argv-9d2')
    }

    expect((await runCli(['get', `${env}/api`, 'ARGV'])).code).toBe(3)
  })

  it('names a mistyped flag and suggests the closest, plain and in --json', async () => {
    for (const [args, named, suggested] of [
      [['list', env, '--jsno'], '--jsno', '--json'],
      [['grant', `${env}/api`, '--funtion', 'checkout'], '--funtion', '--function'],
      [['migrate', '--from-sssm', `/${env}/orders`], '--from-sssm', '--from-ssm'],
    ] as const) {
      const result = await runCli([...args])
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stderr).toContain(`Unknown flag ${named}.`)
      expect(result.stderr).toContain(`Did you mean ${suggested}?`)
      const json = await runCli([...args, '--json'])
      expect(JSON.parse(json.stdout).error).toMatchObject({code: 'USAGE', exitCode: 2, message: `Unknown flag ${named}.`})
    }
  })

  it('never echoes a value given as a flag, plain or in a --json error', async () => {
    for (const extra of [[], ['--json']]) {
      const result = await runCli(['set', `${env}/api`, 'FLAGGED', '--value=canary-flag-3b7', ...extra])
      expect(result.code).toBe(2)
      expect(result.stdout + result.stderr).toContain('Unknown flag (not shown')
      expect(result.stdout + result.stderr).not.toContain('canary-flag-3b7')
    }
  })

  it('keeps a value typed as an argument out of DEBUG=* traces (oclif traces argv)', async () => {
    const result = await runCli(['set', `${env}/api`, 'TRACED', 'canary-debug-8e2'], {input: 'x', env: {DEBUG: '*'}})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/oclif/) // the trace is on...
    expect(result.stderr).not.toContain('canary-debug-8e2') // ...without argv
  })

  it('refuses an empty value and one over 65,536 bytes before any AWS call', async () => {
    const endpoint = await closedEndpoint()
    const empty = await runCli(['set', `${env}/api`, 'EMPTY', '--endpoint-url', endpoint], {input: '\n'})
    expect(empty.code).toBe(2)
    expect(empty.stderr).toMatch(/empty/)
    const big = await runCli(['set', `${env}/api`, 'BIG', '--endpoint-url', endpoint], {input: 'x'.repeat(65_537)})
    expect(big.code).toBe(2)
    expect(big.stderr).toMatch(/65537 bytes/)
    const exact = await runCli(['set', `${env}/api`, 'EXACT'], {input: 'y'.repeat(65_536)})
    expect(exact.code).toBe(0)
    expect((await runCli(['get', `${env}/api`, 'EXACT'])).stdout).toHaveLength(65_536)
  })

  it('refuses an invalid address with exit 2 naming the part, before any AWS call', async () => {
    const result = await runCli(['set', `${env}/a*pi`, 'X', '--endpoint-url', await closedEndpoint()], {input: 'v'})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/the service "a\*pi" contains "\*"/)
  })

  it('fails with exit 4 under --no-overwrite when the secret exists', async () => {
    await runCli(['set', `${env}/api`, 'ONCE'], {input: 'first'})
    const result = await runCli(['set', `${env}/api`, 'ONCE', '--no-overwrite'], {input: 'second'})
    expect(result.code).toBe(4)
    expect((await runCli(['get', `${env}/api`, 'ONCE'])).stdout).toBe('first')
  })

  it('applies description and tags', async () => {
    await runCli(['set', `${env}/tags`, 'T', '--description', 'tagged one', '--tag', 'owner=payments', '--tag', 'tier=1'], {input: 'v'})
    const list = JSON.parse((await runCli(['list', `${env}/tags`, '--json'])).stdout)
    expect(list.secrets).toEqual([expect.objectContaining({name: `/${env}/tags/T`, shortName: 'T', description: 'tagged one'})])
  })
})

describe('get', () => {
  beforeAll(async () => {
    await runCli(['set', `${env}/read`, 'A'], {input: 'alpha'})
    await runCli(['set', `${env}/read`, 'A'], {input: 'alpha-2'})
    await runCli(['set', `${env}/read`, 'B'], {input: 'multi\nline'})
    await runCli(['set', `${env}/read2`, 'C'], {input: 'other service'})
  })

  it('prints the value byte for byte, with no newline added off a terminal', async () => {
    const result = await runCli(['get', `${env}/read`, 'B'])
    expect(result.stdout).toBe('multi\nline')
    expect(result.stdout + result.stderr).not.toMatch(ANSI)
  })

  it('reads another stage on request', async () => {
    expect((await runCli(['get', `${env}/read`, 'A', '--version-stage', 'AWSPREVIOUS'])).stdout).toBe('alpha')
  })

  it('tells a stage or version the secret lacks from a missing secret, listing the stages it has', async () => {
    for (const extra of [['--version-stage', 'PREVIOUS'], ['--version-id', 'f'.repeat(32)], ['--field', 'x', '--version-stage', 'PREVIOUS']]) {
      const result = await runCli(['get', `${env}/read`, 'A', ...extra])
      expect(result.code, extra.join(' ')).toBe(3)
      // A stage that reads as a word is named; a version id (letters and digits, long) may be a pasted value: not shown.
      expect(result.stderr).toContain(`/${env}/read/A exists, but has no ${extra.includes('--version-id') ? 'version id (not shown)' : 'stage "PREVIOUS"'}; its stages are AWSCURRENT, AWSPREVIOUS.`)
      expect(result.stderr).not.toContain('f'.repeat(32))
      expect(result.stderr).toContain(`"secrets history /${env}/read/A"`)
    }

    const missing = await runCli(['get', `${env}/read`, 'NEVER', '--version-stage', 'AWSPREVIOUS'])
    expect(missing.code).toBe(3)
    expect(missing.stderr).toContain(`/${env}/read/NEVER was not found`)
  })

  it('prints every secret of exactly that service with --all', async () => {
    const result = await runCli(['get', `${env}/read`, '--all'])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({A: 'alpha-2', B: 'multi\nline'})
  })

  it('wraps the value in JSON with --json', async () => {
    const result = await runCli(['get', `/${env}/read/A`, '--json'])
    expect(JSON.parse(result.stdout)).toEqual({name: `/${env}/read/A`, value: 'alpha-2'})
  })

  it('answers a missing secret with exit 3 and a pointer to list', async () => {
    const result = await runCli(['get', `${env}/read`, 'NOPE'])
    expect(result.code).toBe(3)
    expect(result.stderr).toContain(`/${env}/read/NOPE was not found`)
    expect(result.stderr).toContain(`secrets list ${env}/read`)
  })

  it('reports errors as one JSON document on stdout with --json', async () => {
    const result = await runCli(['get', `${env}/read`, 'NOPE', '--json'])
    expect(result.code).toBe(3)
    expect(JSON.parse(result.stdout)).toMatchObject({error: {code: 'NOT_FOUND', exitCode: 3}})
  })
})

describe('list', () => {
  it('lists exactly the service, never a sibling sharing its prefix', async () => {
    await runCli(['set', `${env}/lst`, 'ONE'], {input: '1'})
    await runCli(['set', `${env}/lst2`, 'TWO'], {input: '2'})
    await runCli(['set', `${env}/LST`, 'THREE'], {input: '3'})
    const human = await runCli(['list', `${env}/lst`])
    expect(human.stdout).toContain(`/${env}/lst/ONE`)
    expect(human.stdout).not.toContain('TWO')
    expect(human.stdout).not.toContain('THREE')
    const json = JSON.parse((await runCli(['list', `${env}/lst`, '--json'])).stdout)
    expect(json.secrets.map((secret: {name: string}) => secret.name)).toEqual([`/${env}/lst/ONE`])
  })

  it('says on stderr, not stdout, that a scope holds nothing, and exits 0 (under --json: the empty list alone)', async () => {
    const human = await runCli(['list', `${env}/nothing-here`])
    expect(human).toMatchObject({code: 0, stdout: '', stderr: `No secrets under /${env}/nothing-here/.\n`})
    const json = await runCli(['list', `${env}/nothing-here`, '--json'])
    expect(json.code).toBe(0)
    expect(json.stderr).toBe('')
    expect(JSON.parse(json.stdout)).toEqual({prefix: `/${env}/nothing-here/`, secrets: []})
  })

  it('never prints values', async () => {
    await runCli(['set', `${env}/quiet`, 'V'], {input: 'canary-list-41c'})
    const result = await runCli(['list', env, '--json'])
    expect(result.stdout).toContain(`/${env}/quiet/V`)
    expect(result.stdout + result.stderr).not.toContain('canary-list-41c')
  })
})

describe('delete, restore and history', () => {
  it('needs --yes without a terminal, and names it', async () => {
    await runCli(['set', `${env}/del`, 'X'], {input: 'x'})
    const result = await runCli(['delete', `${env}/del`, 'X'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--yes')
    expect((await runCli(['get', `${env}/del`, 'X'])).stdout).toBe('x')
  })

  it('schedules deletion, shows it with --include-deleted, and restores', async () => {
    await runCli(['set', `${env}/del`, 'Y'], {input: 'y'})
    const deleted = await runCli(['delete', `${env}/del`, 'Y', '--yes', '--recovery-days', '7', '--json'])
    expect(JSON.parse(deleted.stdout)).toMatchObject({outcome: 'scheduled', name: `/${env}/del/Y`})
    expect((await runCli(['get', `${env}/del`, 'Y'])).code).toBe(4)
    const listed = JSON.parse((await runCli(['list', `${env}/del`, '--include-deleted', '--json'])).stdout)
    expect(listed.secrets.find((secret: {name: string}) => secret.name.endsWith('/Y')).deletedDate).toBeTruthy()
    expect((await runCli(['restore', `${env}/del`, 'Y'])).code).toBe(0)
    expect((await runCli(['get', `${env}/del`, 'Y'])).stdout).toBe('y')
  })

  it('refuses a recovery window outside 7..30 days', async () => {
    const result = await runCli(['delete', `${env}/del`, 'Y', '--yes', '--recovery-days', '3'])
    expect(result.code).toBe(2)
  })

  it('deletes at once with --force', async () => {
    await runCli(['set', `${env}/del`, 'Z'], {input: 'z'})
    expect((await runCli(['delete', `${env}/del`, 'Z', '--force', '--yes'])).code).toBe(0)
    expect((await runCli(['get', `${env}/del`, 'Z'])).code).toBe(3)
  })

  it('shows versions with stages, newest first, never values', async () => {
    await runCli(['set', `${env}/hist`, 'H'], {input: 'canary-h1'})
    await runCli(['set', `${env}/hist`, 'H'], {input: 'canary-h2'})
    const result = await runCli(['history', `${env}/hist`, 'H', '--json'])
    const {versions} = JSON.parse(result.stdout)
    expect(versions.map((version: {stages: string[]}) => version.stages)).toEqual([['AWSCURRENT'], ['AWSPREVIOUS']])
    expect(result.stdout).not.toContain('canary')
    expect((await runCli(['history', `${env}/hist`, 'NOPE'])).code).toBe(3)
  })
})

describe('AWS faults and credentials', () => {
  it('exits 6 with what to check when the endpoint is unreachable', async () => {
    const result = await runCli(['get', `${env}/api`, 'DB_PASS', '--endpoint-url', await closedEndpoint()], {
      env: {AWS_MAX_ATTEMPTS: '1'},
    })
    expect(result.code).toBe(6)
    expect(result.stderr).toMatch(/Could not reach AWS/)
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })

  it('exits 5 when there are no credentials', async () => {
    const result = await runCli(['list', env], {env: {AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined}})
    expect(result.code).toBe(5)
    expect(result.stderr).toMatch(/No AWS credentials/)
  })

  it('never prints the SDK\'s Node version warning', async () => {
    const result = await runCli(['list', env])
    expect(result.stderr).not.toMatch(/NodeVersion|no longer support|node version/i)
  })
})
