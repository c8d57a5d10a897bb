/**
 * Proof that the handler `secrets grant --runtime nodejs` prints works: written as a module, run in a
 * plain Node process against the emulator (through the loopback proxy that counts its calls), with
 * credentials limited by nothing but the endpoint. The Python handler is checked for syntax only:
 * Powertools for AWS Lambda (Python) is on PyPI, which this machine does not reach (pip finds no
 * version), and Debian has no package of it.
 */
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

async function grant(runtime: 'nodejs' | 'python', maxAge: number): Promise<Granted> {
  const result = await runCli(['grant', `${env}/api`, '--function', 'checkout', '--secret', 'DB_PASS', '--secret', 'DB:password', '--secret', 'DB:username', '--runtime', runtime, '--max-age', String(maxAge), '--json'])
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
