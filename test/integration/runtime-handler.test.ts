/**
 * Proof that the handler `secrets grant --runtime nodejs` prints works: written as a module, run in a
 * plain Node process against the emulator (through the loopback proxy that counts its calls), with
 * credentials limited by nothing but the endpoint. The Python handler is checked for syntax only:
 * Powertools for AWS Lambda (Python) is on PyPI, which this machine does not reach (pip finds no
 * version), and Debian has no package of it. The ECS task's module (`--task`) needs only the AWS SDK,
 * so both of its runtimes run against the emulator (Python with the boto3 installed here).
 */
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {mkdtempSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type AwsProxy, startAwsProxy} from '../helpers/aws-proxy.js'
import {emulatorEndpoint, ROOT, runCli, runProcess, uniqueEnv} from '../helpers/cli.js'
import {emulatorEnv, scrubbedEnv} from '../helpers/emulator.js'

const env = uniqueEnv('runtime')
const PASSWORD = 'correct-horse-battery-staple'
const DOCUMENT = JSON.stringify({username: 'app', password: 's3cret-field'})

/** Calls readSecrets() twice (WAIT_MS apart), then the handler; prints what they returned. */
const RUNNER = `import {handler, readSecrets} from './handler.mjs'
const first = await readSecrets()
await new Promise((resolve) => setTimeout(resolve, Number(process.env.WAIT_MS ?? 0)))
const second = await readSecrets()
const response = await handler({})
process.stdout.write(JSON.stringify({first, second, response}))
`

interface Granted {
  environment: Record<string, string>
  handler: string
}

async function grant(runtime: 'nodejs' | 'python', maxAge: number, via = 'library'): Promise<Granted> {
  const result = await runCli(['grant', `${env}/api`, '--function', 'checkout', '--secret', 'DB_PASS', '--secret', 'DB:password', '--secret', 'DB:username', '--runtime', runtime, '--max-age', String(maxAge), '--via', via, '--json'])
  expect(result.code).toBe(0)
  return JSON.parse(result.stdout).functions[0] as Granted
}

/** The handler in a folder of its own, next to the project's node_modules (where the Powertools package is). */
function handlerDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'runtime-handler-'))
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir')
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

describe('the Node.js handler grant --runtime prints', () => {
  let proxy: AwsProxy

  beforeAll(async () => {
    expect((await runCli(['set', `${env}/api`, 'DB_PASS'], {input: PASSWORD})).code).toBe(0)
    expect((await runCli(['set', `${env}/api`, 'DB'], {input: DOCUMENT})).code).toBe(0)
    proxy = await startAwsProxy(emulatorEndpoint())
  })

  afterAll(async () => {
    await proxy?.close()
  })

  async function run(maxAge: number, waitMs: number) {
    const granted = await grant('nodejs', maxAge)
    const dir = handlerDir({'handler.mjs': granted.handler, 'run.mjs': RUNNER})
    const before = proxy.answered('GetSecretValue')
    const child = await runProcess(process.execPath, ['run.mjs'], {cwd: dir, env: {...scrubbedEnv(), ...emulatorEnv(proxy.endpoint), ...granted.environment, WAIT_MS: String(waitMs)}})
    expect(child.stderr).toBe('')
    expect(child.code).toBe(0)
    await proxy.settled()
    return {granted, output: JSON.parse(child.stdout), calls: proxy.answered('GetSecretValue') - before}
  }

  it('returns the secret, a field of the key/value secret, and reads each once within maxAge', async () => {
    const {granted, output, calls} = await run(300, 0)
    expect(granted.environment).toEqual({DB_PASS_SECRET_ID: `/${env}/api/DB_PASS`, DB_SECRET_ID: `/${env}/api/DB`})
    expect(output.first).toEqual({dbPass: PASSWORD, dbPassword: 's3cret-field', dbUsername: 'app'})
    expect(output.second).toEqual(output.first)
    expect(output.response).toEqual({statusCode: 200})
    // Two secrets, two GetSecretValue calls: the second readSecrets() and the handler's came from the cache.
    expect(calls).toBe(2)
  })

  it('reads again once maxAge has passed (so the count above can fail)', async () => {
    const {output, calls} = await run(1, 1100)
    expect(output.second).toEqual({dbPass: PASSWORD, dbPassword: 's3cret-field', dbUsername: 'app'})
    expect(calls).toBe(4)
  })
})

describe('the Python handler grant --runtime prints', () => {
  it('compiles with python3 -m py_compile', async () => {
    const granted = await grant('python', 300)
    const dir = handlerDir({'handler.py': granted.handler})
    const result = await runProcess('python3', ['-m', 'py_compile', 'handler.py'], {cwd: dir, env: scrubbedEnv()})
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
  })
})

/**
 * A stand-in for the AWS Parameters and Secrets Lambda Extension on a free loopback port: it answers
 * GET /secretsmanager/get?secretId=ID with GetSecretValue's document, read from the emulator, and only
 * when the X-Aws-Parameters-Secrets-Token header is the function's session token (as the real one does).
 */
async function startFakeExtension(token: string): Promise<{port: number; requests: string[]; server: Server}> {
  const {GetSecretValueCommand, SecretsManagerClient} = await import('@aws-sdk/client-secrets-manager')
  const client = new SecretsManagerClient({endpoint: emulatorEndpoint(), region: 'us-east-1', credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'}})
  const requests: string[] = []
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost')
    requests.push(url.pathname)
    if (request.headers['x-aws-parameters-secrets-token'] !== token || url.pathname !== '/secretsmanager/get') {
      response.writeHead(401).end()
      return
    }

    client.send(new GetSecretValueCommand({SecretId: url.searchParams.get('secretId') ?? ''})).then(
      (output) => response.writeHead(200, {'content-type': 'application/json'}).end(JSON.stringify({Name: output.Name, SecretString: output.SecretString})),
      () => response.writeHead(400).end(),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {port: (server.address() as AddressInfo).port, requests, server}
}

describe('the Node.js handler grant --runtime --via extension prints', () => {
  it('reads the secret and a field through the extension, with the session token as its header', async () => {
    expect((await runCli(['set', `${env}/api`, 'DB_PASS'], {input: PASSWORD})).code).toBe(0)
    expect((await runCli(['set', `${env}/api`, 'DB'], {input: DOCUMENT})).code).toBe(0)
    const granted = await grant('nodejs', 120, 'extension')
    expect(granted.environment).toEqual({DB_PASS_SECRET_ID: `/${env}/api/DB_PASS`, DB_SECRET_ID: `/${env}/api/DB`, SECRETS_MANAGER_TTL: '120'})
    const fake = await startFakeExtension('session-token-of-the-function')
    try {
      const dir = handlerDir({'handler.mjs': granted.handler, 'run.mjs': RUNNER})
      // localhost may resolve to ::1 first; the fake listens on 127.0.0.1, which Node's fetch also tries.
      const child = await runProcess(process.execPath, ['run.mjs'], {
        cwd: dir,
        env: {...scrubbedEnv(), ...granted.environment, PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(fake.port), AWS_SESSION_TOKEN: 'session-token-of-the-function'},
      })
      expect(child.stderr).toBe('')
      expect(child.code).toBe(0)
      expect(JSON.parse(child.stdout).first).toEqual({dbPass: PASSWORD, dbPassword: 's3cret-field', dbUsername: 'app'})
      // The handler has no cache of its own: the extension's TTL is the cache (3 calls x 2 secrets).
      expect(fake.requests).toEqual(Array(6).fill('/secretsmanager/get'))
    } finally {
      fake.server.close()
    }
  })

  it('compiles in Python too', async () => {
    const granted = await grant('python', 120, 'extension')
    const dir = handlerDir({'handler.py': granted.handler})
    const result = await runProcess('python3', ['-m', 'py_compile', 'handler.py'], {cwd: dir, env: scrubbedEnv()})
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
  })
})

/** Reads twice (WAIT_MS apart), then once more with forceFetch; prints what each returned. */
const TASK_RUNNER = `import {readSecrets} from './task-secrets.mjs'
const first = await readSecrets()
await new Promise((resolve) => setTimeout(resolve, Number(process.env.WAIT_MS ?? 0)))
const second = await readSecrets()
const forced = await readSecrets(true)
process.stdout.write(JSON.stringify({first, second, forced, inEnvironment: Object.values(process.env).includes(first.dbPass)}))
`

const PYTHON_TASK_RUNNER = `import json
import os
import time

import task_secrets

first = task_secrets.read_secrets()
time.sleep(int(os.environ.get("WAIT_MS", "0")) / 1000)
second = task_secrets.read_secrets()
forced = task_secrets.read_secrets(force_fetch=True)
print(json.dumps({"first": first, "second": second, "forced": forced, "inEnvironment": first["db_pass"] in os.environ.values()}))
`

async function grantTask(runtime: 'nodejs' | 'python', maxAge: number): Promise<{environment: Record<string, string>; module: string}> {
  const result = await runCli(['grant', `${env}/web`, '--task', 'web-prod', '--secret', 'DB_PASS', '--secret', 'DB:password', '--runtime', runtime, '--max-age', String(maxAge), '--json'])
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  return JSON.parse(result.stdout).functions[0] as {environment: Record<string, string>; module: string}
}

describe('the module grant --task --runtime prints for an ECS task', () => {
  let proxy: AwsProxy

  beforeAll(async () => {
    expect((await runCli(['set', `${env}/web`, 'DB_PASS'], {input: PASSWORD})).code).toBe(0)
    expect((await runCli(['set', `${env}/web`, 'DB'], {input: DOCUMENT})).code).toBe(0)
    proxy = await startAwsProxy(emulatorEndpoint())
  })

  afterAll(async () => {
    await proxy?.close()
  })

  async function run(runtime: 'nodejs' | 'python', maxAge: number, waitMs: number) {
    const granted = await grantTask(runtime, maxAge)
    expect(granted.environment).toEqual({DB_PASS_SECRET_ID: `/${env}/web/DB_PASS`, DB_SECRET_ID: `/${env}/web/DB`})
    const dir = runtime === 'nodejs' ? handlerDir({'task-secrets.mjs': granted.module, 'run.mjs': TASK_RUNNER}) : handlerDir({'task_secrets.py': granted.module, 'run.py': PYTHON_TASK_RUNNER})
    const before = proxy.answered('GetSecretValue')
    const childEnv = {...scrubbedEnv(), ...emulatorEnv(proxy.endpoint), AWS_DEFAULT_REGION: 'us-east-1', ...granted.environment, WAIT_MS: String(waitMs)}
    const child = runtime === 'nodejs' ? await runProcess(process.execPath, ['run.mjs'], {cwd: dir, env: childEnv}) : await runProcess('python3', ['run.py'], {cwd: dir, env: childEnv})
    expect(child.stderr).toBe('')
    expect(child.code).toBe(0)
    await proxy.settled()
    return {output: JSON.parse(child.stdout), calls: proxy.answered('GetSecretValue') - before}
  }

  it.each([
    ['nodejs', {dbPass: PASSWORD, dbPassword: 's3cret-field'}],
    ['python', {db_pass: PASSWORD, db_password: 's3cret-field'}],
  ] as const)('%s: reads the secret and a field with the AWS SDK, each once within maxAge, again when forced', async (runtime, values) => {
    const {output, calls} = await run(runtime, 300, 0)
    expect(output.first).toEqual(values)
    expect(output.second).toEqual(values)
    expect(output.forced).toEqual(values)
    // The value is in a local variable, never in the process environment.
    expect(output.inEnvironment).toBe(false)
    // Two secrets: read once each, the second read from the cache, then once each again with forceFetch.
    expect(calls).toBe(4)
  })

  it.each(['nodejs', 'python'] as const)('%s: reads again once maxAge has passed (so the count above can fail)', async (runtime) => {
    const {calls} = await run(runtime, 1, 1100)
    expect(calls).toBe(6)
  })
})
