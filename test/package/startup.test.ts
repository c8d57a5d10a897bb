import {spawnSync} from 'node:child_process'

import {describe, expect, it} from 'vitest'

import {BIN, cliEnv} from '../helpers/cli.js'

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
