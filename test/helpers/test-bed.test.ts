/**
 * The test bed's own rules, tested: account-wide commands never run against the shared emulator, and
 * the AWS proxy counts answered calls and freezes a run exactly where it is told.
 */
import {CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import {describe, expect, inject, it} from 'vitest'

import {startAwsProxy} from './aws-proxy.js'
import {ACCOUNT_WIDE_COMMANDS, runCli, uniqueEnv} from './cli.js'

const E = uniqueEnv('bed')

function client(endpoint: string): SecretsManagerClient {
  return new SecretsManagerClient({endpoint, region: 'us-east-1', credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'}, maxAttempts: 1})
}

describe('the shared emulator', () => {
  it.each([...ACCOUNT_WIDE_COMMANDS])('refuses to run %s, which reads the whole account, against it', async (command) => {
    await expect(runCli([command])).rejects.toThrow(/reads the whole account: call `await useOwnEmulator\(\)`/)
  })
})

describe('the AWS proxy', () => {
  it('counts answered calls by operation and forwards them to the emulator', async () => {
    const proxy = await startAwsProxy(inject('emulatorEndpoint'))
    try {
      await client(proxy.endpoint).send(new CreateSecretCommand({Name: `/${E}/api/COUNTED`, SecretString: 'x'}))
      await client(proxy.endpoint).send(new GetSecretValueCommand({SecretId: `/${E}/api/COUNTED`}))
      expect([proxy.answered('CreateSecret'), proxy.answered('GetSecretValue'), proxy.answered()]).toEqual([1, 1, 2])
    } finally {
      await proxy.close()
    }
  })

  it('freezes after the chosen answer: later requests wait until released, then are answered', async () => {
    const proxy = await startAwsProxy(inject('emulatorEndpoint'))
    try {
      const frozen = proxy.freezeWhen((answered) => answered('CreateSecret') >= 2)
      const sm = client(proxy.endpoint)
      await sm.send(new CreateSecretCommand({Name: `/${E}/frz/A`, SecretString: 'a'}))
      await sm.send(new CreateSecretCommand({Name: `/${E}/frz/B`, SecretString: 'b'}))
      await frozen
      let third = false
      const pending = sm.send(new CreateSecretCommand({Name: `/${E}/frz/C`, SecretString: 'c'})).then(() => (third = true))
      // Held, not forwarded: the emulator has not seen C while frozen.
      await expect(client(inject('emulatorEndpoint')).send(new GetSecretValueCommand({SecretId: `/${E}/frz/C`}))).rejects.toThrow(/can't find|not find|ResourceNotFound/i)
      expect(third).toBe(false)
      proxy.release()
      await pending
      expect(proxy.answered('CreateSecret')).toBe(3)
    } finally {
      await proxy.close()
    }
  })

  it('refuses to forward anywhere but loopback', async () => {
    await expect(startAwsProxy('http://example.com')).rejects.toThrow(/loopback only/)
  })
})
