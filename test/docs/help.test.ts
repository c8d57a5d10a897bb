/**
 * Every command's --help as a user reads it (issue 22): USAGE and ARGUMENTS name the same
 * arguments, and the exit codes listed are exactly that command's, from src/core/exit-codes.ts.
 */
import {readdirSync, readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {COMMAND_EXIT_CODES, exitCodesHelp} from '../../src/core/exit-codes.js'
import {ROOT, runCli} from '../helpers/cli.js'
import {publicCommandIds} from '../helpers/manifest.js'

/** This CLI's own commands (src/commands/*.ts); help and autocomplete are oclif's plugins'. */
const OWN = new Set(readdirSync(`${ROOT}src/commands`).map((file) => file.replace(/\.ts$/, '')))
const ownCommands = () => publicCommandIds().filter((id) => OWN.has(id))

const flat = (text: string) => text.replaceAll(/\s+/g, ' ')

/** The lines of one section of oclif's help (USAGE, ARGUMENTS, ...), up to the next heading. */
function section(help: string, heading: string): string {
  const match = new RegExp(`^${heading}\\n([\\s\\S]*?)(?=^[A-Z][A-Z ]+\\n|$(?![\\s\\S]))`, 'm').exec(help)
  return match?.[1] ?? ''
}

describe('every command\'s --help', () => {
  const commands = ownCommands()

  it('has an entry in the exit-code table, and the table none for a command that does not exist', () => {
    expect(Object.keys(COMMAND_EXIT_CODES).sort()).toEqual([...commands].sort())
  })

  it.each(ownCommands())('%s: lists the exit codes of the table, once, and USAGE agrees with ARGUMENTS', async (command) => {
    const {stdout, code} = await runCli([command, '--help', '--endpoint-url', 'http://127.0.0.1:9'])
    expect(code).toBe(0)
    expect(flat(stdout)).toContain(exitCodesHelp(command))
    expect(stdout.match(/Exit codes:/g)).toHaveLength(1)
    const usage = flat(section(stdout, 'USAGE'))
    const args = section(stdout, 'ARGUMENTS')
      .split('\n')
      .map((line) => /^ {2}(\S+)/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined)
    for (const arg of args) expect(usage, `${command}: ARGUMENTS has ${arg}, USAGE does not`).toContain(` ${arg}`)
  })
})

describe('--quiet', () => {
  it('is taken by exactly the commands whose text is a report (src/flags.ts says why), with one meaning', () => {
    const manifest = JSON.parse(readFileSync(`${ROOT}oclif.manifest.json`, 'utf8')) as {commands: Record<string, {flags: Record<string, {char?: string; description?: string}>}>}
    const quiet = Object.entries(manifest.commands).filter(([, command]) => command.flags.quiet !== undefined)
    expect(quiet.map(([id]) => id).sort()).toEqual(['audit', 'diff', 'doctor', 'migrate', 'promote'])
    for (const [id, command] of quiet) {
      expect(command.flags.quiet.char, id).toBe('q')
      expect(command.flags.quiet.description, id).toMatch(/^Print only .*; errors still print, --json is unchanged\.$/)
    }
  })
})

describe('the exit-code table', () => {
  it('names get\'s 4 for a secret scheduled for deletion, and diff\'s 8', () => {
    expect(exitCodesHelp('get')).toContain('4 scheduled for deletion')
    expect(exitCodesHelp('diff')).toContain('8 the scopes differ')
    expect(exitCodesHelp('scan')).not.toMatch(/\b5 |\b6 /)
  })
})
