import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {cliEnv, uniqueEnv} from '../helpers/cli.js'
import {packAndInstallGlobally} from '../helpers/npm-install.js'

describe('npm pack', () => {
  it('makes a tarball that installs globally and puts a working `secrets` on PATH', () => {
    const work = mkdtempSync(join(tmpdir(), 'secrets-pack-'))
    try {
      const prefix = join(work, 'global')
      packAndInstallGlobally(work, prefix)
      const env = {...cliEnv(), PATH: `${join(prefix, 'bin')}:${process.env.PATH}`}
      const version = spawnSync('secrets', ['--version'], {env, encoding: 'utf8', cwd: work})
      expect(version.status).toBe(0)
      expect(version.stdout).toMatch(/^secrets\/\d+\.\d+\.\d+/)

      const scope = `${uniqueEnv('pack')}/api`
      const set = spawnSync('secrets', ['set', scope, 'PACKED'], {env, encoding: 'utf8', cwd: work, input: 'from-the-tarball\n'})
      expect(set.status).toBe(0)
      const get = spawnSync('secrets', ['get', scope, 'PACKED'], {env, encoding: 'utf8', cwd: work})
      expect(get.stdout).toBe('from-the-tarball')
    } finally {
      rmSync(work, {recursive: true, force: true})
    }
  }, 240_000)
})
