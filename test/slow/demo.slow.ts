/**
 * `npm run demo`, run to the end as a newcomer would: it must not say the tool is unfinished, every
 * `secrets` command it shows has something under it (its output, a note of what a quiet step left
 * out, or its exit code), and what README says of it holds: it runs every command (scan, fields and
 * shell completion too), it fixes the audit's findings with the fixes the audit printed, run as
 * printed, and a command's stderr appears where a terminal would show it, not after its tables. The
 * tours drive the AWS CLI to seed the emulator.
 */
import {spawnSync} from 'node:child_process'
import {readdirSync} from 'node:fs'

import {beforeAll, describe, expect, it} from 'vitest'

import {silentCommands} from '../../scripts/tour.js'
import {ROOT, runProcess} from '../helpers/cli.js'
import {scrubbedEnv} from '../helpers/emulator.js'

const awsCli = spawnSync('aws', ['--version']).status === 0

/** The commands of src/commands, and the completion command oclif's plugin adds. */
const COMMANDS = [...readdirSync(`${ROOT}src/commands`).map((file) => file.replace(/\.ts$/, '')), 'autocomplete'].sort()

describe.skipIf(!awsCli)('npm run demo', () => {
  let transcript = ''
  beforeAll(async () => {
    const result = await runProcess(process.execPath, [`${ROOT}node_modules/tsx/dist/cli.mjs`, 'scripts/demo.ts'], {cwd: ROOT, env: scrubbedEnv()})
    expect(result.code, result.stderr + result.stdout.slice(-2000)).toBe(0)
    transcript = result.stdout
  }, 600_000)

  it('runs every tour to the end, never says "not built", and shows something under every command', () => {
    expect(transcript).toContain('== Done')
    expect(transcript).not.toMatch(/not built/i)
    expect(silentCommands(transcript)).toEqual([])
  })

  it('runs every command, as README says', () => {
    const run = new Set([...transcript.matchAll(/(?:^\$ |\| |&& )secrets ([a-z-]+)/gm)].map((match) => match[1]))
    expect(COMMANDS.filter((command) => !run.has(command))).toEqual([])
  })

  it('scans the example template, and writes and reads a field', () => {
    expect(transcript).toContain('$ secrets scan examples/scan\nexamples/scan/template.yaml (sam)')
    expect(transcript).toMatch(/^\$ .*\| secrets set prod\/orders DB --field password\nupdated \/prod\/orders\/DB field password/m)
    expect(transcript).toMatch(/^\$ secrets fields prod\/orders DB\nusername\npassword\n/m)
    // Read back in a batch after the field write: the new value, on moto as on AWS.
    expect(transcript).toMatch(/^\$ secrets get prod\/orders --all\n[^$]*demo-only-second/m)
  })

  it("fixes the function and the parameter with the fixes its audit printed, run as printed", () => {
    for (const resource of ['lambda:billing-prod', 'ssm:/prod/billing/smtp/SMTP_PASSWORD']) {
      const row = transcript.split('\n').find((line) => line.startsWith('high ') && line.includes(` ${resource} `))
      const fix = /(secrets migrate .*)$/.exec(row ?? '')?.[1]
      expect(fix, resource).toBeDefined()
      expect(transcript).toContain(`\n$ ${fix}\n`)
    }

    expect(transcript).toMatch(/^\$ secrets migrate --from-lambda billing-prod /m)
  })

  it('shows shell completion answering as bash asks it', () => {
    expect(transcript).toContain('secrets mi<TAB> -> migrate\n')
    expect(transcript).toContain('secrets get --fi<TAB> -> --field\n')
  })

  it("shows a command's stderr where it was written, before the tables that followed it", () => {
    const before = (first: string, then: string) => {
      expect(transcript.indexOf(first), first).toBeGreaterThan(-1)
      expect(transcript.indexOf(first), `${first} before ${then}`).toBeLessThan(transcript.indexOf(then))
    }

    before('verified 4 of 4\n', 'Migration: 4 items: 4 created.')
    before('writing to account 222222222222', 'created /staging/payments/STRIPE_KEY')
  })
})
