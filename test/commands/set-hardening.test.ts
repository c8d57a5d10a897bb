import {describe, expect, it} from 'vitest'

import {runCli, uniqueEnv} from '../helpers/cli.js'

const env = uniqueEnv('sethard')

describe('set, given a value where a name or flag goes', () => {
  it('masks an unknown flag, which may be a value beginning with "-", plain and in --json', async () => {
    for (const extra of [[], ['--json']]) {
      const result = await runCli(['set', `${env}/api`, 'DASHED', '-canary-dash-41c', ...extra], {input: 'v', env: {DEBUG: extra.length ? '*' : undefined}})
      expect(result.code).toBe(2)
      expect(result.stdout + result.stderr).toContain('Unknown flag (not shown')
      expect(result.stdout + result.stderr).not.toContain('canary-dash-41c')
    }

    expect((await runCli(['get', `${env}/api`, 'DASHED'])).code).toBe(3)
  })

  it('refuses NAME=VALUE (Heroku\'s and Fly\'s syntax) without echoing it, says how to pass the value, and creates nothing', async () => {
    for (const args of [
      ['set', `${env}/api`, 'DB_PASS=canary-assign-7f1'],
      ['set', `/${env}/api/DB_PASS=canary-assign-7f1`],
    ]) {
      const result = await runCli(args, {input: 'from-stdin'})
      expect(result.code).toBe(2)
      expect(result.stderr).toContain('set takes NAME, not NAME=VALUE')
      expect(result.stderr).toMatch(new RegExp(`printf %s "\\$VALUE" \\| secrets set /?${env}/api[ /]DB_PASS\\)`))
      expect(result.stdout + result.stderr).not.toContain('canary-assign-7f1')
    }

    const listed = await runCli(['list', `${env}/api`, '--json'])
    expect(listed.stdout).not.toContain('DB_PASS')
  })
})
