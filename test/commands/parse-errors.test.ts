/**
 * oclif's parse errors, as a user sees them (issue 22): the reason is kept (the range, the flags
 * that exclude each other, the options), under --json too; a typo'd command gets "did you mean"
 * without its word being echoed.
 */
import {describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'

describe('parse errors keep their reason', () => {
  it.each([
    [['delete', 'prod/api', 'X', '--recovery-days', '5'], /--recovery-days: Expected an integer greater than or equal to 7 \(given: "5"\)/],
    [['migrate', '--from-ssm', '/x', '--to', 'prod/api', '--concurrency', '100'], /--concurrency: Expected an integer less than or equal to 64 \(given: "100"\)/],
    [['migrate', '--from-ssm', '/x', '--from-dotenv', '.env', '--to', 'prod/api'], /--from-dotenv and --from-ssm cannot be used together/],
    [['scan', '--format', 'bogus'], /--format must be one of: text, sarif \(given: "bogus"\)/],
  ])('%j', async (args, reason) => {
    for (const json of [false, true]) {
      const result = await runCli([...args, ...(json ? ['--json'] : [])])
      expect(result.code).toBe(2)
      if (json) expect(JSON.parse(result.stdout).error.message).toMatch(reason)
      else expect(result.stderr).toMatch(reason)
    }
  })
})

describe('a mistyped command', () => {
  it('suggests the command it is close to, without echoing the word', async () => {
    const result = await runCli(['lst'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('Did you mean "secrets list"?')
    expect(result.stderr).not.toContain('lst')
  })

  it('echoes neither a word that is no near miss nor one given to help, plain or with --json', async () => {
    for (const args of [['canary-77aa19ffd0'], ['canary-77aa19ffd0', '--json'], ['help', 'canary-77aa19ffd0']]) {
      const result = await runCli(args)
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stdout + result.stderr).not.toContain('canary-77aa19ffd0')
      expect(result.stdout + result.stderr).not.toContain('Did you mean')
    }

    expect(JSON.parse((await runCli(['canary-77aa19ffd0', '--json'])).stdout).error.code).toBe('USAGE')
  })
})
