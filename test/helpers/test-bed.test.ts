/**
 * The test bed's own rules, tested: account-wide commands never run against the shared emulator, and
 * the AWS proxy counts answered calls and freezes a run exactly where it is told.
 */
import {Agent, request as httpRequest} from 'node:http'

import {CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import {GetParametersByPathCommand, type GetParametersByPathCommandOutput, PutParameterCommand, SSMClient} from '@aws-sdk/client-ssm'
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

describe("the emulator's parameter walks (one listing per walk, see serial_moto.py)", () => {
  const ssm = new SSMClient({endpoint: inject('emulatorEndpoint'), region: 'us-east-1', credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'}, maxAttempts: 1})
  const put = (name: string, value: string, overwrite = false) => ssm.send(new PutParameterCommand({Name: name, Value: value, Type: 'String', Overwrite: overwrite}))
  const page = (path: string, token?: string): Promise<GetParametersByPathCommandOutput> =>
    ssm.send(new GetParametersByPathCommand({Path: path, Recursive: true, MaxResults: 10, ...(token ? {NextToken: token} : {})}))

  it('answers later pages as moto does: a change made during a walk shows in the pages after it', async () => {
    const path = `/${E}/walk`
    for (let i = 0; i < 25; i++) await put(`${path}/p${String(i).padStart(2, '0')}`, `v${i}`)
    const first = await page(path)
    const second = await page(path, first.NextToken)
    // Changed after the second page (the first answered from the walk's listing): the pages after
    // it must see both changes, as moto's own scan would.
    await put(`${path}/p24`, 'changed', true)
    await put(`${path}/zz`, 'new')
    const seen = new Map([...(first.Parameters ?? []), ...(second.Parameters ?? [])].map((parameter) => [parameter.Name, parameter.Value]))
    let token = second.NextToken
    while (token) {
      const next = await page(path, token)
      for (const parameter of next.Parameters ?? []) seen.set(parameter.Name, parameter.Value)
      token = next.NextToken
    }

    expect(seen.size).toBe(26)
    expect([seen.get(`${path}/p24`), seen.get(`${path}/zz`), seen.get(`${path}/p00`)]).toEqual(['changed', 'new', 'v0'])
  })

  it('answers a second walk of the same path from the parameters as they are then, not from the first walk', async () => {
    const path = `/${E}/rewalk`
    for (let i = 0; i < 12; i++) await put(`${path}/p${String(i).padStart(2, '0')}`, `v${i}`)
    const walk = async () => {
      const values: string[] = []
      let token: string | undefined
      do {
        const next = await page(path, token)
        values.push(...(next.Parameters ?? []).map((parameter) => parameter.Value ?? ''))
        token = next.NextToken
      } while (token)
      return values
    }

    expect((await walk()).length).toBe(12)
    await put(`${path}/p11`, 'again', true)
    expect(await walk()).toContain('again')
  })
})

describe("the emulator's secrets, found by name (see serial_moto.py)", () => {
  it('finds a secret by name and by ARN, misses a name it does not hold, and finds a replica by name in its region', async () => {
    const name = `/${E}/byname/KEY`
    const created = await client(inject('emulatorEndpoint')).send(new CreateSecretCommand({Name: name, SecretString: 'v1', AddReplicaRegions: [{Region: 'eu-west-1'}]}))
    const sm = client(inject('emulatorEndpoint'))
    expect((await sm.send(new GetSecretValueCommand({SecretId: name}))).SecretString).toBe('v1')
    expect((await sm.send(new GetSecretValueCommand({SecretId: created.ARN}))).SecretString).toBe('v1')
    await expect(sm.send(new GetSecretValueCommand({SecretId: `${name}-missing`}))).rejects.toThrow(/can't find|not find|ResourceNotFound/i)
    // The replica region keeps its copy under the replica's ARN, not its name: still found by name.
    const replica = new SecretsManagerClient({endpoint: inject('emulatorEndpoint'), region: 'eu-west-1', credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'}, maxAttempts: 1})
    expect((await replica.send(new DescribeSecretCommand({SecretId: name}))).Name).toBe(name)
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

  it("keeps the client's connection open between calls, as AWS does (the emulator's Connection: close is not passed on)", async () => {
    const proxy = await startAwsProxy(inject('emulatorEndpoint'))
    const agent = new Agent({keepAlive: true, maxSockets: 1})
    const call = () =>
      new Promise<{reused: boolean; connection?: string}>((resolve, reject) => {
        const request = httpRequest(`${proxy.endpoint}/`, {method: 'POST', agent, headers: {'x-amz-target': 'secretsmanager.ListSecrets', 'content-type': 'application/x-amz-json-1.1'}}, (answer) => {
          answer.resume()
          answer.on('end', () => resolve({reused: request.reusedSocket, connection: answer.headers.connection}))
        })
        request.on('error', reject)
        request.end('{}')
      })
    try {
      const first = await call()
      const second = await call()
      expect(first).toEqual({reused: false, connection: 'keep-alive'})
      expect(second.reused).toBe(true)
    } finally {
      agent.destroy()
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
