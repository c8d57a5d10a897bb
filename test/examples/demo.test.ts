/**
 * The demo a newcomer runs (`npm run demo`, scripts/demo.ts and scripts/tours/): its transcript must
 * not say the tool is unfinished (issue 22: "(secrets migrate is not built in this checkout yet ...)",
 * from a tour looking for dist/commands/<name>.js beside .cjs bundles), and no command may be shown
 * with nothing under it (`$ secrets audit --json` followed by the next command). The demo itself
 * runs in test/slow/demo.slow.ts (about a minute).
 */
import {readdirSync, readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {omitted, silentCommands} from '../../scripts/tour.js'
import {ROOT} from '../helpers/cli.js'

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
})
