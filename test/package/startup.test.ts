import {spawnSync} from 'node:child_process'
import {writeFileSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {BIN, cliEnv} from '../helpers/cli.js'

/** A loader hook that reports every @aws-sdk module the process resolves. */
function sdkWatcher(): string {
  const dir = mkdtempSync(join(tmpdir(), 'secrets-sdk-watch-'))
  writeFileSync(
    join(dir, 'hooks.mjs'),
    `export async function resolve(specifier, context, next) {
  if (specifier.includes('@aws-sdk/')) process.stderr.write('SDK-LOADED ' + specifier + '\\n')
  return next(specifier, context)
}\n`,
  )
  writeFileSync(join(dir, 'register.mjs'), `import {register} from 'node:module'\nregister('./hooks.mjs', import.meta.url)\n`)
  return join(dir, 'register.mjs')
}

describe('start-up', () => {
  const watcher = sdkWatcher()
  const run = (args: string[]) =>
    spawnSync(process.execPath, ['--import', watcher, BIN, ...args], {env: cliEnv(), encoding: 'utf8', input: ''})

  it.each([[['--help']], [['--version']], [['set', '--help']], [['get', '--help']]])('does not load the AWS SDK for %j', (args) => {
    const result = run(args)
    expect(result.status).toBe(0)
    expect(result.stderr).not.toContain('SDK-LOADED')
  })

  it('does load it for a command that calls AWS (the watcher works)', () => {
    const result = run(['list', 'startup-probe'])
    expect(result.stderr).toContain('SDK-LOADED @aws-sdk/client-secrets-manager')
  })
})
