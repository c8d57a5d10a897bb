import {describe, expect, it} from 'vitest'

import {parseReason, shownValue, unknownFlags} from '../../src/ui/cli-errors.js'

describe('parseReason: oclif parse errors keep their reason', () => {
  it.each([
    ['Parsing --recovery-days \n\tExpected an integer greater than or equal to 7 but received: 5\nSee more help with --help', '--recovery-days: Expected an integer greater than or equal to 7 (given: "5")'],
    ['Parsing --concurrency \n\tExpected an integer less than or equal to 64 but received: 100\nSee more help with --help', '--concurrency: Expected an integer less than or equal to 64 (given: "100")'],
    [
      'The following errors occurred:\n  \u001B[2m--from-dotenv=.env cannot also be provided when using --from-ssm\n  --from-ssm=/x cannot also be provided when using --from-dotenv\u001B[22m\nSee more help with --help',
      '--from-dotenv and --from-ssm cannot be used together.',
    ],
    ['Expected --only=bogus to be one of: env, ssm, iam\nSee more help with --help', '--only must be one of: env, ssm, iam (given: "bogus").'],
    ['Missing 1 required arg:\nscope  ENV/SERVICE, e.g. prod/api\nSee more help with --help', 'Missing 1 required argument: scope: ENV/SERVICE, e.g. prod/api.'],
  ])('%j', (raw, expected) => {
    expect(parseReason(raw)).toBe(expected)
  })

  it('keeps a value that could be a secret out of the reason', () => {
    const canary = 'canary-3f9a1b2c7d8e'
    for (const raw of [
      `Parsing --recovery-days \n\tExpected an integer but received: ${canary}`,
      `Expected --format=${canary} to be one of: json, yaml`,
      `The following errors occurred:\n  --from-ssm=${canary} cannot also be provided when using --from-dotenv`,
      `Something else about --flag=${canary}`,
    ]) expect(parseReason(raw)).not.toContain(canary)
  })

  it('shows a mistyped word or a small number, nothing longer or mixed', () => {
    expect(shownValue('bogus')).toBe('"bogus"')
    expect(shownValue('5')).toBe('"5"')
    for (const value of ['hunter2', 'Kx9-aa', '12345', 'a very long phrase', 'abcdefghijklmnopq']) expect(shownValue(value)).toBe('(not shown)')
  })
})

describe('unknownFlags: a mistyped flag is named, anything else stays hidden', () => {
  const FLAGS = ['json', 'function', 'from-ssm', 'from-dotenv', 'region', 'profile']
  it.each([
    [['--jsno'], 'Unknown flag --jsno.', 'Did you mean --json?'],
    [['--funtion'], 'Unknown flag --funtion.', 'Did you mean --function?'],
    [['--from-sssm'], 'Unknown flag --from-sssm.', 'Did you mean --from-ssm?'],
    [['--frobnicate'], 'Unknown flag --frobnicate.', 'See --help'],
  ])('%j', (tokens, message, hint) => {
    const error = unknownFlags(tokens, FLAGS)
    expect(error.message).toBe(message)
    expect(error.hint).toContain(hint)
    expect(error.exitCode).toBe(2)
  })

  it('never names a token that could be a value: a single dash, digits, capitals, =, or a long run', () => {
    const canaries = ['-Kx9secret', '--Abc', '--abc1', '--pass=word', `--${'a'.repeat(41)}`, '-x']
    for (const token of canaries) {
      const error = unknownFlags([token], FLAGS)
      expect(error.message).toContain('not shown')
      expect(`${error.message} ${error.hint}`).not.toContain(token)
    }

    const mixed = unknownFlags(['--regoin', '-Kx9secret'], FLAGS)
    expect(mixed.message).toBe('Unknown flag --regoin, and 1 more not shown (in case it is a secret value that begins with "-").')
    expect(mixed.hint).toContain('Did you mean --region?')
    expect(`${mixed.message} ${mixed.hint}`).not.toContain('Kx9secret')
  })
})
