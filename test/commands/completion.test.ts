import {spawnSync} from 'node:child_process'
import {chmod, mkdir, mkdtemp, readFile, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {beforeAll, describe, expect, it} from 'vitest'

import {BIN, cliEnv, ROOT, runCli} from '../helpers/cli.js'
import {publicCommandIds} from '../helpers/manifest.js'

const COMMANDS = publicCommandIds()

describe('shell completion (@oclif/plugin-autocomplete)', () => {
  let cache: string
  let dir: string
  beforeAll(async () => {
    cache = await mkdtemp(join(tmpdir(), 'secrets-completion-'))
    dir = join(cache, 'secrets', 'autocomplete')
    const built = await runCli(['autocomplete', '--refresh-cache'], {env: {XDG_CACHE_HOME: cache}})
    expect(built.code, built.stderr).toBe(0)
  })

  it('prints the line to add to a shell profile for bash, zsh and powershell', async () => {
    for (const shell of ['bash', 'zsh']) {
      const result = await runCli(['autocomplete', 'script', shell], {env: {XDG_CACHE_HOME: cache}})
      expect(result.code).toBe(0)
      expect(result.stdout).toContain(`SECRETS_AC_${shell.toUpperCase()}_SETUP_PATH=${join(dir, `${shell}_setup`)}`)
    }

    const help = await runCli(['autocomplete', 'powershell'], {env: {XDG_CACHE_HOME: cache}})
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('powershell')
  })

  it('generates bash, zsh and powershell scripts that name every command and its flags', async () => {
    const scripts = await Promise.all(
      ['functions/bash/secrets.bash', 'functions/zsh/_secrets', 'functions/powershell/secrets.ps1'].map((file) => readFile(join(dir, file), 'utf8')),
    )
    expect(COMMANDS).toContain('grant')
    for (const script of scripts) {
      for (const command of COMMANDS) expect(script, command).toMatch(new RegExp(`\\b${command}\\b`))
    }

    expect(scripts[0]).toMatch(/^promote .*--dry-run/m)
    expect(scripts[0]).toMatch(/^promote .*--on-conflict/m)
    expect(scripts[0]).toMatch(/^diff .*--quiet/m)
  })

  it('completes command names in a real bash', () => {
    const run = spawnSync(
      'bash',
      ['-c', `source "$1"; COMP_WORDS=(secrets pro); COMP_CWORD=1; COMP_LINE="secrets pro"; _secrets_autocomplete; echo "\${COMPREPLY[@]}"`, 'bash', join(dir, 'functions/bash/secrets.bash')],
      {encoding: 'utf8', cwd: ROOT},
    )
    expect(run.status, run.stderr).toBe(0)
    expect(run.stdout.trim().split(/\s+/)).toContain('promote')
  })

  it("README's bash line leaves ~/.bashrc ending in a newline, and the profile still parses", async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8')
    const line = readme.split('\n').find((text) => text.includes('>> ~/.bashrc'))
    expect(line).toBeDefined()
    const home = await mkdtemp(join(tmpdir(), 'secrets-home-'))
    const bin = join(home, 'bin')
    await mkdir(bin)
    await writeFile(join(bin, 'secrets'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`)
    await chmod(join(bin, 'secrets'), 0o755)
    // A profile that already has a last line of its own, as most do.
    await writeFile(join(home, '.bashrc'), 'export EDITOR=vi\n')
    const command = line!.replace(/\s+#.*$/, '')
    const run = spawnSync('bash', ['-c', `${command} && echo "added" >> ~/.bashrc`], {
      encoding: 'utf8',
      env: {...cliEnv({XDG_CACHE_HOME: cache}), HOME: home, PATH: `${bin}:${process.env.PATH}`},
    })
    expect(run.status, run.stderr).toBe(0)
    const profile = await readFile(join(home, '.bashrc'), 'utf8')
    // What the next tool appends starts on a line of its own.
    expect(profile.split('\n')).toContain('added')
    expect(spawnSync('bash', ['-n', join(home, '.bashrc')]).status).toBe(0)
  })
})
