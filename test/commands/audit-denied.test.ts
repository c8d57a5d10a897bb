import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {type Emulator, startEmulator} from '../helpers/emulator.js'
import {emulatorClients, plantMistakes} from '../fixtures/audit-accounts.js'

/**
 * A stand-in AWS endpoint that refuses everything, as AWS does for an identity without the permission:
 * 403 with AccessDenied in the query protocol (IAM) or the JSON protocols (Lambda, ECS, SSM).
 */
function denyingServer(): Promise<{server: Server; endpoint: string}> {
  const server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => (body += chunk.toString()))
    request.on('end', () => {
      if (/Action=/.test(body)) {
        response.writeHead(403, {'content-type': 'text/xml'})
        response.end('<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized</Message></Error><RequestId>1</RequestId></ErrorResponse>')
      } else {
        response.writeHead(403, {'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'AccessDeniedException'})
        response.end(JSON.stringify({__type: 'AccessDeniedException', message: 'not authorized'}))
      }
    })
  })
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`}))
  })
}

let emulator: Emulator
let denying: {server: Server; endpoint: string}

beforeAll(async () => {
  ;[emulator, denying] = await Promise.all([startEmulator(), denyingServer()])
  await plantMistakes(emulatorClients(emulator.endpoint))
}, 120_000)

afterAll(async () => {
  await emulator?.stop()
  await new Promise((resolve) => denying?.server.close(resolve))
})

describe('secrets audit when the caller may not call an API', () => {
  it('reports the denied API as a gap, audits the rest, and still gates on what it found', async () => {
    const env = {AWS_ENDPOINT_URL: emulator.endpoint, AWS_ENDPOINT_URL_IAM: denying.endpoint}
    const json = await runCli(['audit', '--json', '--fail-on', 'high'], {env})
    expect(json.code).toBe(7)
    const report = JSON.parse(json.stdout)
    expect(report.gaps).toEqual([{area: 'iam', action: 'iam:GetAccountAuthorizationDetails', reason: expect.stringMatching(/^access denied/)}])
    expect(new Set(report.findings.map((item: {area: string}) => item.area))).toEqual(new Set(['env', 'ssm']))

    const human = await runCli(['audit'], {env})
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/^Not inspected \(1\):$/m)
    expect(human.stdout).toMatch(/^iam +iam:GetAccountAuthorizationDetails +\(all\) +access denied/m)
    expect(human.stdout).toMatch(/Coverage is incomplete: see above\.$/m)
  })

  it('exits 5 when every API it needs is denied: nothing was audited', async () => {
    const result = await runCli(['audit', '--only', 'ssm', '--only', 'iam', '--json'], {env: {AWS_ENDPOINT_URL: denying.endpoint}})
    expect(result.code).toBe(5)
    expect(JSON.parse(result.stdout).error).toMatchObject({code: 'ACCESS_DENIED', exitCode: 5})
  })
})
