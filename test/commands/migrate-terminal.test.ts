/**
 * `secrets migrate` at a terminal (issue 19): a plan a person can read (counts, the rows that need
 * attention, the cost), a question before the first write, and a result that shows only surprises.
 * Every run is in a real pseudo-terminal; the pipeline's output is covered by the examples suite.
 */
import {mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {beforeAll, describe, expect, it} from 'vitest'

import {secretValues, seed} from '../fixtures/migrate-helpers.js'
import {uniqueEnv} from '../helpers/cli.js'
import {runCliInPty} from '../helpers/pty.js'

const COUNT = 300

/** COUNT parameters under `/<env>/legacy`, whose secrets (same names) do not exist yet. */
async function seedLegacy(env: string): Promise<string[]> {
  const names = Array.from({length: COUNT}, (_, index) => `/${env}/legacy/TOKEN_${String(index).padStart(3, '0')}`)
  await seed(names.map((name, index) => ({name, value: `terminal value ${index}`, type: 'SecureString' as const})))
  return names
}

/** The lines the terminal showed before the question, spinner redraws aside (they end in CR, not LF). */
function linesBefore(output: string, marker: string): number {
  const shown = output.slice(0, output.indexOf(marker))
  return shown.split('\n').length
}

describe('secrets migrate at a terminal', () => {
  // The tests that only ask share these parameters, none of them written; the one that writes has its own.
  const E = uniqueEnv('mterm')
  let names: string[]
  let config: string
  beforeAll(async () => {
    names = await seedLegacy(E)
    // One replica region: each new secret is billed twice.
    const dir = await mkdtemp(join(tmpdir(), 'secrets-mterm-'))
    config = join(dir, 'secrets.yml')
    await writeFile(config, `environments:\n  ${E}:\n    region: us-east-1\n    replicaRegions: [eu-west-1]\n`)
  }, 120_000)

  it('300 items: a summary that fits one screen, the cost, and "n" writes nothing (exit 130)', async () => {
    const declined = await runCliInPty(['migrate', '--from-ssm', `/${E}/legacy`, '--config', config], [
      {expect: `Plan: ${COUNT} items: ${COUNT} create.`},
      {expect: String.raw`Estimated cost: 300 new secrets x \(1 \+ 1 replica region\) x \$0\.40 = \$240\.00 a month`},
      {expect: String.raw`Write 300 secrets to ${E} \(us-east-1\)\?`},
      {expect: String.raw`\(y/N\)`},
      {send: 'n\r'},
      {expect: 'Cancelled; nothing was written.'},
    ])
    expect(declined.failure).toBeNull()
    expect(declined.exit).toBe(130)
    // A 24-line terminal shows the whole plan and the question together.
    expect(linesBefore(declined.output, 'Write 300 secrets')).toBeLessThanOrEqual(12)
    expect(declined.output).toContain('300 rows not shown (create): --verbose shows every row')
    expect(declined.output).not.toContain('TOKEN_000')
    expect((await secretValues(names)).size).toBe(0)
  })

  it('Ctrl-C at the question writes nothing', async () => {
    const interrupted = await runCliInPty(['migrate', '--from-ssm', `/${E}/legacy`, '--config', config], [{expect: String.raw`\(y/N\)`}, {send: '\u0003'}, {expect: 'nothing was written'}])
    expect(interrupted.failure).toBeNull()
    expect(interrupted.exit).toBe(130)
    expect((await secretValues([names[0]])).get(names[0])).toBeUndefined()
  })

  it('--price-per-secret sets the price; --verbose shows every row', async () => {
    const verbose = await runCliInPty(['migrate', '--from-ssm', `/${E}/legacy`, '--price-per-secret', '0.25', '--verbose'], [
      {expect: 'TOKEN_299'},
      {expect: String.raw`300 new secrets x \$0\.25 = \$75\.00 a month`},
      {expect: String.raw`your price of \$0\.25 a secret`},
      {expect: String.raw`\(y/N\)`},
      {send: 'n\r'},
      {expect: 'nothing was written'},
    ])
    expect(verbose.failure).toBeNull()
    for (const name of [names[0], names[150], names[299]]) expect(verbose.output).toContain(name)
  })

  it('--yes writes without asking; the result shows only what did not go as planned', async () => {
    const E = uniqueEnv('mtermyes')
    const names = await seedLegacy(E)
    const written = await runCliInPty(['migrate', '--from-ssm', `/${E}/legacy`, '--yes'], [{expect: `Migration: ${COUNT} items: ${COUNT} created`}], {})
    expect(written.failure).toBeNull()
    expect(written.exit).toBe(0)
    expect(written.output).not.toContain('(y/N)')
    expect(written.output).not.toContain('Result:')
    const values = await secretValues(names)
    expect(values.get(names[0])).toBe('terminal value 0')
    expect(values.get(names[299])).toBe('terminal value 299')

    // Nothing left to write: no question and no cost line.
    const again = await runCliInPty(['migrate', '--from-ssm', `/${E}/legacy`], [{expect: 'Migration: '}])
    expect(again.failure).toBeNull()
    expect(again.exit).toBe(0)
    expect(again.output).not.toContain('(y/N)')
    expect(again.output).not.toContain('Estimated cost')
  }, 180_000)
})
