import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

import {CreateSecretCommand, PutResourcePolicyCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {type Emulator, startEmulator} from '../helpers/emulator.js'

const VALUE = 'rp-planted-value-7f3a'
const statement = (fields: object) => ({Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*', ...fields})
const policy = (...Statement: object[]) => JSON.stringify({Version: '2012-10-17', Statement})

/** Secrets Manager that lists one secret and refuses GetResourcePolicy, as AWS does for a caller without it. */
function denyingSecretsManager(): Promise<{server: Server; endpoint: string}> {
  const server = createServer((request, response) => {
    const target = String(request.headers['x-amz-target'] ?? '')
    request.resume()
    request.on('end', () => {
      if (target.endsWith('.ListSecrets')) {
        response.writeHead(200, {'content-type': 'application/x-amz-json-1.1'})
        response.end(JSON.stringify({SecretList: [{Name: '/prod/api/LOCKED', ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:/prod/api/LOCKED-AbCdEf'}]}))
        return
      }

      response.writeHead(400, {'content-type': 'application/x-amz-json-1.1'})
      response.end(JSON.stringify({__type: 'AccessDeniedException', message: 'not authorized'}))
    })
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`})))
}

let emulator: Emulator
let denying: {server: Server; endpoint: string}

beforeAll(async () => {
  // Account-wide: this file's own emulator, which no other test writes to.
  ;[emulator, denying] = await Promise.all([startEmulator(), denyingSecretsManager()])
  const client = new SecretsManagerClient({endpoint: emulator.endpoint, region: 'us-east-1', credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'}})
  const planted: Array<[string, string | undefined]> = [
    ['/prod/api/OPEN', policy(statement({Sid: 'Anyone', Principal: {AWS: '*'}}))],
    ['/prod/api/VENDOR', policy(statement({Principal: {AWS: 'arn:aws:iam::210987654321:root'}}))],
    ['/prod/api/ORG_ONLY', policy(statement({Principal: '*', Condition: {StringEquals: {'aws:PrincipalOrgID': 'o-abc123def4'}}}))],
    ['/prod/api/OWN_ROLE', policy(statement({Principal: {AWS: 'arn:aws:iam::123456789012:role/api'}}))],
    ['/prod/api/NO_POLICY', undefined],
  ]
  for (const [name, document] of planted) {
    await client.send(new CreateSecretCommand({Name: name, SecretString: VALUE}))
    if (document) await client.send(new PutResourcePolicyCommand({SecretId: name, ResourcePolicy: document}))
  }
}, 120_000)

afterAll(async () => {
  await emulator?.stop()
  await new Promise((resolve) => denying?.server.close(resolve))
})

describe("secrets audit on secrets' resource policies", () => {
  it('reports a policy open to anyone (high) or to another account (medium), and not one limited by a condition or naming a role of the account', async () => {
    const result = await runCli(['audit', '--only', 'iam', '--json'], {env: {AWS_ENDPOINT_URL: emulator.endpoint}})
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout)
    const secretFindings = report.findings.filter((item: {resourceType: string}) => item.resourceType === 'secretsmanager-secret')
    expect(secretFindings.map((item: {rule: string; severity: string; resource: string}) => [item.rule, item.severity, item.resource])).toEqual([
      ['secret-policy-public', 'high', '/prod/api/OPEN'],
      ['secret-policy-other-account', 'medium', '/prod/api/VENDOR'],
    ])
    expect(secretFindings[0].fix).toContain('aws secretsmanager put-resource-policy --secret-id /prod/api/OPEN --block-public-policy')
    expect(report.inspected.secrets).toBe(5)
    expect(report.gaps).toEqual([])
    expect(result.stdout + result.stderr).not.toContain(VALUE)

    const human = await runCli(['audit', '--only', 'iam'], {env: {AWS_ENDPOINT_URL: emulator.endpoint}})
    expect(human.stdout).toMatch(/^high +secret:\/prod\/api\/OPEN +resource policy +Allow secretsmanager:GetSecretValue to any principal/m)
    expect(human.stdout).toMatch(/, 5 secrets \(us-east-1\)\.$/m)
  })

  it('names a denied GetResourcePolicy under "Not inspected" instead of passing over it', async () => {
    const env = {AWS_ENDPOINT_URL: emulator.endpoint, AWS_ENDPOINT_URL_SECRETS_MANAGER: denying.endpoint}
    const json = await runCli(['audit', '--only', 'iam', '--json'], {env})
    expect(json.code).toBe(0)
    expect(JSON.parse(json.stdout).gaps).toEqual([
      {area: 'iam', action: 'secretsmanager:GetResourcePolicy', resource: '/prod/api/LOCKED', reason: expect.stringMatching(/^access denied/)},
    ])
    const human = await runCli(['audit', '--only', 'iam'], {env})
    expect(human.stdout).toMatch(/^iam +secretsmanager:GetResourcePolicy +\/prod\/api\/LOCKED +access denied/m)
  })
})
