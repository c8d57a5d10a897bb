/**
 * An endpoint that answers in no AWS protocol (a web server, a wrong port, a proxy's error page) is a
 * placement problem: exit 6 naming the setting that points there, never exit 1 ("a bug") nor "on the
 * AWS side, run it again".
 */
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'

/** A web server: every request gets `status` and a page of HTML, as `python3 -m http.server` answers a POST with 501. */
function htmlServer(status: number): Promise<{url: string; requests: () => number; server: Server}> {
  let count = 0
  const server = createServer((request, response) => {
    count++
    request.resume()
    request.on('end', () => {
      const page = `<!DOCTYPE html><html><head><title>Error</title></head><body><h1>${status}</h1></body></html>`
      response.writeHead(status, {'content-type': 'text/html;charset=utf-8', 'content-length': Buffer.byteLength(page)})
      response.end(page)
    })
  })
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => count, server}))
  })
}

describe('an endpoint that is not AWS', () => {
  let notFound: Awaited<ReturnType<typeof htmlServer>>
  let notImplemented: Awaited<ReturnType<typeof htmlServer>>
  beforeAll(async () => {
    ;[notFound, notImplemented] = await Promise.all([htmlServer(404), htmlServer(501)])
  })
  afterAll(() => {
    notFound.server.close()
    notImplemented.server.close()
  })

  it('is exit 6 naming --endpoint-url, for a JSON service (Secrets Manager) and an XML one (STS, through doctor)', async () => {
    for (const server of [notFound, notImplemented]) {
      const list = await runCli(['list', 'prod', '--endpoint-url', server.url])
      expect(list.code, list.stderr).toBe(6)
      expect(list.stderr).toContain(`${server.url} (from --endpoint-url) answered HTTP`)
      expect(list.stderr).toContain('not an AWS API answer')
      expect(list.stderr).toContain('Point --endpoint-url at AWS or an emulator')
      expect(list.stderr).not.toMatch(/Unexpected error|on the AWS side/)
    }

    const doctor = await runCli(['doctor', '--endpoint-url', notFound.url])
    expect(doctor.code).toBe(6)
    expect(doctor.stdout).toMatch(/identity\s+fail\s+.*not an AWS API answer/)
  })

  it('names the variable that chose the endpoint, shows it without its password, and does not retry', async () => {
    const before = notFound.requests()
    const result = await runCli(['get', 'prod/api', 'DB_PASS', '--json'], {
      // AWS_ENDPOINT_URL stays the emulator's, so no other service's call can leave this machine.
      env: {AWS_ENDPOINT_URL_SECRETS_MANAGER: notFound.url.replace('http://', 'http://user:canary-pw-41@'), SECRETS_REPORT_API_CALLS: '1'},
    })
    expect(result.code).toBe(6)
    const {error} = JSON.parse(result.stdout)
    expect(error.message).toContain(`${notFound.url} (from AWS_ENDPOINT_URL_SECRETS_MANAGER) answered HTTP 404 (text/html)`)
    expect(error.hint).toContain('Point AWS_ENDPOINT_URL_SECRETS_MANAGER at AWS')
    expect(result.stdout + result.stderr).not.toContain('canary-pw-41')
    // A web page is not a passing fault: one attempt per call, not the SDK's eight.
    const report = JSON.parse(/secrets-api-calls (.*)/.exec(result.stderr)![1]) as {total: number; attempts: number}
    expect(report.attempts).toBe(report.total)
    expect(notFound.requests() - before).toBe(report.total)
  })
})
