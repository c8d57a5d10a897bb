/**
 * The request timeout bounds the whole answer, not the silence between two bytes: a server that sends
 * its headers and then a byte every 0.5 s must not hold a command past its deadline and retries.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli, uniqueEnv} from '../helpers/cli.js'
import {type SlowDrip, startSlowDrip} from './slow-drip.js'

const env = uniqueEnv('drip')
let drip: SlowDrip

beforeAll(async () => {
  drip = await startSlowDrip(500)
})

afterAll(async () => {
  await drip?.close()
})

describe('a server that drips its answer', () => {
  it('ends each attempt at the deadline and exits 6 after the configured attempts, plain and with --json', async () => {
    for (const json of [false, true]) {
      const before = drip.count('GetSecretValue')
      // Before: the socket never went idle, so the command ran until the test killed it (exit null).
      const result = await runCli(['get', `${env}/api`, 'DB_PASS', '--endpoint-url', drip.endpoint, ...(json ? ['--json'] : [])], {
        env: {SECRETS_REQUEST_TIMEOUT_MS: '2000', AWS_MAX_ATTEMPTS: '2'},
        timeoutMs: 45_000,
      })
      expect(result.code, result.stderr).toBe(6)
      // --json also asks DescribeSecret, side by side; each operation gets the configured 2 attempts.
      expect(drip.count('GetSecretValue') - before).toBe(2)
      if (json) expect(JSON.parse(result.stdout)).toMatchObject({error: {code: 'UNAVAILABLE', exitCode: 6}})
      else expect(result.stderr).toContain(`Could not reach AWS for secretsmanager:GetSecretValue on /${env}/api/DB_PASS after 2 attempts (TimeoutError).`)
      expect(result.stderr).not.toMatch(/^\s{4}at /m)
    }
  })
})
