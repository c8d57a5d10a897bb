/**
 * `npm run demo`, run to the end as a newcomer would (issue 22): it must not say the tool is
 * unfinished, and every `secrets` command it shows has something under it (its output, a note of
 * what a quiet step left out, or its exit code). The tours drive the AWS CLI to seed the emulator.
 */
import {spawnSync} from 'node:child_process'

import {describe, expect, it} from 'vitest'

import {silentCommands} from '../../scripts/tour.js'
import {ROOT, runProcess} from '../helpers/cli.js'
import {scrubbedEnv} from '../helpers/emulator.js'

const awsCli = spawnSync('aws', ['--version']).status === 0

describe('npm run demo', () => {
  it.skipIf(!awsCli)('runs every tour to the end, never says "not built", and shows something under every command', async () => {
    const result = await runProcess(process.execPath, [`${ROOT}node_modules/tsx/dist/cli.mjs`, 'scripts/demo.ts'], {cwd: ROOT, env: scrubbedEnv()})
    expect(result.code, result.stderr + result.stdout.slice(-2000)).toBe(0)
    expect(result.stdout).toContain('== Done')
    expect(result.stdout).not.toMatch(/not built/i)
    expect(silentCommands(result.stdout)).toEqual([])
  })
})
