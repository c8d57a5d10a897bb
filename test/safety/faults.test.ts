/**
 * Faults, end to end through the built CLI and the real SDK: an endpoint that throttles, fails with
 * 5xx, never answers, refuses connections, or an emulator stopped in the middle of a migration. Each
 * command retries where it should (HTTP attempts are counted on the fake endpoint), then fails with
 * exit 6 and a message that says what to do, never with a stack trace.
 */
import {spawn} from 'node:child_process'

import {describe, expect, it} from 'vitest'

import {BIN, cliEnv, ROOT, runCli, uniqueEnv} from '../helpers/cli.js'
import {emulatorEnv, closedPort, startEmulator} from '../helpers/emulator.js'
import {always, type FakeAnswer, type FakeRequest, startFakeAws} from './fake-aws.js'

const E = uniqueEnv('fault')
const STACK = /^\s{4}at /m

/** Runs the CLI against a fake endpoint; `fake` is closed, its requests stay readable. */
async function against(answer: (request: FakeRequest) => FakeAnswer, args: string[], env: Record<string, string> = {}, input?: string) {
  const fake = await startFakeAws(answer)
  try {
    const result = await runCli([...args, '--endpoint-url', fake.endpoint], {env, input})
    return {...result, fake}
  } finally {
    await fake.close()
  }
}

function expectCleanFailure(result: {code: number | null; stderr: string}, code: number, message: RegExp, hint: RegExp): void {
  expect(result.code, result.stderr).toBe(code)
  expect(result.stderr).toMatch(message)
  expect(result.stderr).toMatch(new RegExp(`Hint: .*${hint.source}`))
  expect(result.stderr).not.toMatch(STACK)
}

/** Fails `failures` times with the given error, then answers GetSecretValue like AWS. */
function failingThenOk(failures: number, status: number, type: string): (request: FakeRequest) => FakeAnswer {
  let seen = 0
  return (request) => {
    seen += 1
    if (seen <= failures) return {status, type}
    const name = /"SecretId":"([^"]+)"/.exec(request.body)?.[1] ?? '/x/y/z'
    return {status: 200, type: '', body: JSON.stringify({Name: name, ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`, SecretString: 'recovered', VersionId: 'v1', VersionStages: ['AWSCURRENT']})}
  }
}

const COMMANDS: [string, string[], string?][] = [
  ['get', ['get', `${E}/api`, 'DB_PASS']],
  ['set', ['set', `${E}/api`, 'DB_PASS'], 'value'],
  ['list', ['list', E]],
  ['history', ['history', `${E}/api`, 'DB_PASS']],
  ['get --all', ['get', `${E}/api`, '--all']],
]

describe('throttling', () => {
  it('is retried by the SDK (default attempts) and the command succeeds once AWS lets it through', async () => {
    const {fake, ...result} = await against(failingThenOk(3, 400, 'ThrottlingException'), ['get', `${E}/api`, 'DB_PASS'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toBe('recovered')
    expect(fake.count('GetSecretValue')).toBe(4)
  })

  it.concurrent.each(COMMANDS)('%s: retried up to AWS_MAX_ATTEMPTS, then exit 6 saying to wait and run again', async (_, args, input) => {
    const {fake, ...result} = await against(always(400, 'ThrottlingException', 'Rate exceeded'), args, {AWS_MAX_ATTEMPTS: '3'}, input)
    expectCleanFailure(result, 6, /AWS kept throttling secretsmanager:\w+ on \S+ after 3 attempts/, /run the command again/)
    // One operation, three HTTP attempts: retried, and not more than asked.
    expect(fake.requests.length).toBe(3)
  })

  it('answered as HTTP 429 TooManyRequests is also exit 6', async () => {
    const {fake, ...result} = await against(always(429, 'TooManyRequestsException'), ['get', `${E}/api`, 'DB_PASS'], {AWS_MAX_ATTEMPTS: '2'})
    expectCleanFailure(result, 6, /throttling/, /run the command again/)
  })
})

describe('5xx', () => {
  it('a 500 then a good answer: retried, and the command succeeds', async () => {
    const {fake, ...result} = await against(failingThenOk(1, 500, 'InternalServiceError'), ['get', `${E}/api`, 'DB_PASS'])
    expect(result.code, result.stderr).toBe(0)
    expect(fake.count('GetSecretValue')).toBe(2)
  })

  it.each([
    [500, 'InternalServiceError'],
    [503, 'ServiceUnavailable'],
  ])('always %s: retried, then exit 6 naming the status', async (status, type) => {
    const {fake, ...result} = await against(always(status, type), ['get', `${E}/api`, 'DB_PASS'], {AWS_MAX_ATTEMPTS: '3'})
    expectCleanFailure(result, 6, new RegExp(`AWS answered ${status} \\(${type}\\) for secretsmanager:GetSecretValue on /${E}/api/DB_PASS after 3 attempts`), /run the command again/)
    expect(fake.requests.length).toBe(3)
  })

  it('a proxy answering 502 with an HTML page: exit 6, the page is not shown', async () => {
    const {fake, ...result} = await against(() => ({status: 502, type: '', body: '<html><body>Bad Gateway SECRET-PAGE</body></html>'}), ['list', E], {AWS_MAX_ATTEMPTS: '2'})
    expectCleanFailure(result, 6, /AWS answered 502/, /run the command again/)
    expect(result.stderr).not.toContain('SECRET-PAGE')
    expect(fake.requests.length).toBe(2)
  })

  it('is not confused with access denied, which is never retried', async () => {
    const {fake, ...result} = await against(always(400, 'AccessDeniedException'), ['get', `${E}/api`, 'DB_PASS'], {AWS_MAX_ATTEMPTS: '5'})
    expectCleanFailure(result, 5, /Access denied: secretsmanager:GetSecretValue/, /Grant secretsmanager:GetSecretValue/)
    expect(fake.requests.length).toBe(1)
  })
})

describe('slow and silent endpoints', () => {
  it('a request that gets no answer is timed out and retried; the retry is answered', async () => {
    let first = true
    const fake = await startFakeAws(() => {
      if (first) {
        first = false
        return 'hang'
      }

      return {status: 200, type: '', body: JSON.stringify({Name: `/${E}/api/SLOW`, SecretString: 'late', VersionId: 'v1'})}
    })
    // The first attempt never answers and times out (SECRETS_REQUEST_TIMEOUT_MS); the retry answers.
    const result = await runCli(['get', `${E}/api`, 'SLOW', '--endpoint-url', fake.endpoint], {env: {SECRETS_REQUEST_TIMEOUT_MS: '700'}})
    await fake.close()
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toBe('late')
    expect(fake.requests.length).toBe(2)
  })

  it('an endpoint that never answers times out, is retried, then exit 6 naming the endpoint to check', async () => {
    const started = Date.now()
    const {fake, ...result} = await against(() => 'hang', ['get', `${E}/api`, 'DB_PASS'], {SECRETS_REQUEST_TIMEOUT_MS: '500', AWS_MAX_ATTEMPTS: '2'})
    expectCleanFailure(result, 6, /Could not reach AWS for secretsmanager:GetSecretValue on \S+ after 2 attempts \((ETIMEDOUT|TimeoutError)\)/, /--endpoint-url/)
    expect(fake.requests.length).toBe(2)
    expect(Date.now() - started).toBeLessThan(15_000)
  })

  it.concurrent.each(COMMANDS)('%s: connection refused is exit 6 naming the network and endpoint to check', async (_, args, input) => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`
    const result = await runCli([...args, '--endpoint-url', endpoint], {env: {AWS_MAX_ATTEMPTS: '2'}, input})
    expectCleanFailure(result, 6, /Could not reach AWS for secretsmanager:\w+ .*\(ECONNREFUSED\)/, /Check the network, --region and --endpoint-url/)
  })
})

describe('the emulator stopped in the middle of a migration', () => {
  it('fails the unwritten items with exit 6 and a resume hint, touches no source, and never prints a stack', async () => {
    const emulator = await startEmulator()
    try {
      const env = {...emulatorEnv(emulator.endpoint), AWS_MAX_ATTEMPTS: '2'}
      await seedDirect(emulator.endpoint, 300)
      const child = spawn(process.execPath, [BIN, 'migrate', '--from-ssm', `/${E}/stop`, '--to', `${E}/stopped`, '--delete-source', '--concurrency', '2'], {
        cwd: ROOT,
        env: {...cliEnv(), ...env},
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stdout = ''
      let stderr = ''
      let stopping: Promise<void> | undefined
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString()
      })
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString()
        if (!stopping && /writing 300 secrets/.test(stderr)) stopping = new Promise((resolve) => setTimeout(resolve, 300)).then(() => emulator.stop())
      })
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
      expect(stopping, stderr).toBeDefined()
      expect(code, stderr).toBe(6)
      expect(stdout).toMatch(/Migration: 300 items: .*failed/)
      expect(stdout).toMatch(/Could not reach AWS/)
      expect(stderr).toMatch(/Hint: Fix the cause shown for the failed items and run the same command again/)
      expect(stdout + stderr).not.toMatch(STACK)
      // Nothing was verified after the stop, so nothing may have been reported as deleted.
      expect(stdout).not.toMatch(/\d+ sources? deleted/)
    } finally {
      await emulator.stop()
    }
  }, 60_000)
})

/** Seeds `count` SecureString parameters under /<E>/stop on the given emulator with the real SDK. */
async function seedDirect(endpoint: string, count: number): Promise<void> {
  const {PutParameterCommand, SSMClient} = await import('@aws-sdk/client-ssm')
  const client = new SSMClient({endpoint, region: 'us-east-1', credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'}})
  const names = Array.from({length: count}, (_, i) => `/${E}/stop/P${String(i).padStart(3, '0')}`)
  for (let i = 0; i < names.length; i += 20) {
    await Promise.all(names.slice(i, i + 20).map((name) => client.send(new PutParameterCommand({Name: name, Value: `v-${name}`, Type: 'SecureString'}))))
  }
}
