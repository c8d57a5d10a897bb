import {execFileSync, spawnSync} from 'node:child_process'
import {cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {cliEnv, ROOT, uniqueEnv} from '../helpers/cli.js'
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

  it('on a fresh clone (no dist/), builds the bundles itself before packing them', () => {
    const clone = mkdtempSync(join(tmpdir(), 'secrets-fresh-'))
    try {
      // The tracked files as they are in the working tree, without dist/: what a fresh clone holds.
      const tracked = execFileSync('git', ['ls-files', '-z'], {cwd: ROOT, encoding: 'utf8'}).split('\0').filter(Boolean)
      for (const file of tracked) {
        if (!existsSync(join(ROOT, file))) continue
        mkdirSync(dirname(join(clone, file)), {recursive: true})
        cpSync(join(ROOT, file), join(clone, file))
      }

      symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'))
      expect(existsSync(join(clone, 'dist'))).toBe(false)
      const out = execFileSync('npm', ['pack', '--dry-run', '--json'], {cwd: clone, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']})
      // The build's own lines come first on stdout; the JSON document is the rest.
      const [{files}] = JSON.parse(out.slice(out.indexOf('[\n'))) as [{files: {path: string}[]}]
      const paths = files.map((file) => file.path)
      for (const needed of ['dist/cli.cjs', 'dist/commands.cjs', 'dist/hcl2json.wasm', 'dist/lib/hcl-go-runtime.cjs', 'oclif.manifest.json', 'bin/run.js']) expect(paths).toContain(needed)
    } finally {
      rmSync(clone, {recursive: true, force: true})
    }
  }, 240_000)
})
