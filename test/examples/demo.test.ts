/**
 * The demo a newcomer runs (`npm run demo`, scripts/demo.ts and scripts/tours/): its transcript must
 * not say the tool is unfinished (issue 22: "(secrets migrate is not built in this checkout yet ...)",
 * from a tour looking for dist/commands/<name>.js beside .cjs bundles), and no command may be shown
 * with nothing under it (`$ secrets audit --json` followed by the next command), and a command's
 * stderr is shown where it was written among its stdout, as a terminal shows it (captured apart, the
 * progress of `migrate` came after its result table). The demo itself runs in test/slow/demo.slow.ts
 * (over a minute).
 */
import {readdirSync, readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {interleave, omitted, runRecorded, silentCommands} from '../../scripts/tour.js'
import {ROOT} from '../helpers/cli.js'
import {scrubbedEnv} from '../helpers/emulator.js'

const TOURS = `${ROOT}scripts/tours/`

describe('the demo', () => {
  it('checks nothing by file name: no tour looks for a build output', () => {
    for (const file of readdirSync(TOURS)) {
      const source = readFileSync(`${TOURS}${file}`, 'utf8')
      expect(source, file).not.toMatch(/existsSync|dist\/commands|not built/)
    }
  })

  it('finds a command shown with no output, and says what a quiet step left out', () => {
    expect(silentCommands('$ secrets audit --json\n$ secrets list\nx\n')).toEqual(['$ secrets audit --json'])
    expect(omitted('{\n "a": 1\n}\n')).toBe('(a JSON document of 3 lines on stdout, not shown here)')
    expect(omitted('')).toBeUndefined()
  })

  it('shows stdout and stderr in the order the command wrote them, each still captured whole', () => {
    const program = [
      "process.stderr.write('planned 4 items\\n')",
      "process.stdout.write('Result: é\\n')",
      "process.stderr.write('verified 4 of 4\\n')",
      "process.stdout.write('Migration: 4 items: 4 created.\\n')",
    ].join(';')
    const result = runRecorded(process.execPath, ['-e', program], {env: scrubbedEnv()})
    expect(result.pieces).toEqual([
      {stream: 'stderr', text: 'planned 4 items\n'},
      {stream: 'stdout', text: 'Result: é\n'},
      {stream: 'stderr', text: 'verified 4 of 4\n'},
      {stream: 'stdout', text: 'Migration: 4 items: 4 created.\n'},
    ])
    expect(result.stdout).toBe('Result: é\nMigration: 4 items: 4 created.\n')
    expect(result.stderr).toBe('planned 4 items\nverified 4 of 4\n')
  })

  it('records the Node programs a shell line starts, and keeps what no record covers, stdout first', () => {
    const result = runRecorded('bash', ['-c', `"${process.execPath}" -e "console.error('first'); console.log('second')"`], {env: scrubbedEnv()})
    expect(result.pieces.map((piece) => piece.stream)).toEqual(['stderr', 'stdout'])
    expect(interleave(Buffer.from('out\n'), Buffer.from('err\n'), '')).toEqual([
      {stream: 'stdout', text: 'out\n'},
      {stream: 'stderr', text: 'err\n'},
    ])
  })
})
