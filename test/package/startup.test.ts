import {spawnSync} from 'node:child_process'
import {readdirSync, readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {BIN, ROOT, cliEnv} from '../helpers/cli.js'

/** The bundle announces each AWS SDK client package on DEBUG=secrets:aws as it initialises. */
const SDK_LOADED = /secrets:aws loading @aws-sdk\//

describe('start-up', () => {
  const run = (args: string[]) =>
    spawnSync(process.execPath, [BIN, ...args], {env: cliEnv({DEBUG: 'secrets:aws'}), encoding: 'utf8', input: ''})

  it.each([[['--help']], [['--version']], [['help']], [['set', '--help']], [['get', '--help']], [['migrate', '--help']]])(
    'does not load the AWS SDK for %j',
    (args) => {
      const result = run(args)
      expect(result.status).toBe(0)
      expect(result.stderr).not.toMatch(SDK_LOADED)
    },
  )

  it('does not load it to refuse bad input', () => {
    const result = run(['get', 'pr*d/api', 'X'])
    expect(result.status).toBe(2)
    expect(result.stderr).not.toMatch(SDK_LOADED)
  })

  it('loads exactly the client a command needs (so the trace proves something)', () => {
    const result = run(['list', 'startup-probe'])
    expect(result.status).toBe(0)
    expect(result.stderr).toContain('secrets:aws loading @aws-sdk/client-secrets-manager')
    expect(result.stderr).not.toContain('client-ssm')
  })
})

describe('the bundles', () => {
  const bundle = (file: string) => readFileSync(`${ROOT}dist/${file}`, 'utf8')
  const commandBundles = readdirSync(`${ROOT}dist/commands`).filter((file) => file.endsWith('.cjs'))

  it('keep every SDK client out of the command bundles, each in a bundle of its own', () => {
    expect(commandBundles.length).toBeGreaterThan(10)
    // The trace line is compiled into each client package's entry module (scripts/bundle.ts).
    // (Checked as booleans: a failure would otherwise print a whole bundle.)
    expect(commandBundles.filter((file) => bundle(`commands/${file}`).includes('loading @aws-sdk/'))).toEqual([])
    for (const client of ['secrets-manager', 'ssm', 'sts', 'lambda', 'ecs', 'iam']) {
      expect(bundle(`lib/aws-sdk-client-${client}.cjs`)).toContain(`loading @aws-sdk/client-${client}`)
    }

    // The example: restore never calls Lambda.
    expect(bundle('commands/restore.cjs').includes('ListFunctionsCommand')).toBe(false)
  })
})
