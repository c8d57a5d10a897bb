import {spawnSync} from 'node:child_process'
import {mkdtemp, readFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {beforeAll, describe, expect, it} from 'vitest'

import {ROOT, runCli} from '../helpers/cli.js'
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
})
