import {spawn, type ChildProcess} from 'node:child_process'
import {createServer} from 'node:net'
import {fileURLToPath} from 'node:url'

const SERIAL_MOTO = fileURLToPath(new URL('serial_moto.py', import.meta.url))

/** A moto_server process on a free 127.0.0.1 port: the only AWS the tests, demo and bench ever talk to. */
export interface Emulator {
  endpoint: string
  port: number
  stop(): Promise<void>
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

/**
 * A port nothing listens on, for "connection refused" tests. Not freePort(): a port the kernel hands
 * out for port 0 can be handed out again, to another test file's proxy, while the CLI still retries
 * against it; the kill suite's proxy once counted a leak test's retried writes that way. Ports below
 * the kernel's ephemeral range (32768 and up here) are never handed out for port 0; this one is
 * checked to refuse connections.
 */
export async function closedPort(): Promise<number> {
  const {connect} = await import('node:net')
  for (const port of [9, 7, 13, 19, 37]) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect({host: '127.0.0.1', port})
      socket.once('connect', () => {
        socket.destroy()
        resolve(false)
      })
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'))
    })
    if (refused) return port
  }

  throw new Error('no closed port below the ephemeral range on 127.0.0.1')
}

/** How long a live emulator process may take to answer before its start counts as hung. */
const STARTUP_HANG_MS = 180_000

/**
 * `awsManagedPolicies`: moto loads AWS managed policies (AmazonSSMReadOnlyAccess, ReadOnlyAccess, ...)
 * only when asked (MOTO_IAM_LOAD_MANAGED_POLICIES); without them, attaching one answers NoSuchEntity.
 * Loading them costs its first IAM call a few seconds.
 */
export async function startEmulator(options: {port?: number; awsManagedPolicies?: boolean} = {}): Promise<Emulator> {
  const port = options.port ?? (await freePort())
  let child: ChildProcess
  try {
    // moto's own server, run one request at a time (serial_moto.py says why) by the Python moto_server uses.
    // Fake credentials and no instance metadata for moto itself: some of its models build boto3
    // clients, whose credential chain would otherwise try 169.254.169.254 (seen during the demo).
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_EC2_METADATA_DISABLED: 'true',
      ...(options.awsManagedPolicies ? {MOTO_IAM_LOAD_MANAGED_POLICIES: 'true'} : {}),
    }
    child = spawn('python3', [SERIAL_MOTO, '127.0.0.1', String(port)], {stdio: ['ignore', 'ignore', 'pipe'], env})
  } catch (error) {
    throw new Error(`the emulator could not be started (python3 with moto[server], as moto_server uses): ${String(error)}`)
  }

  let log = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000)
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  child.on('error', () => {})
  const endpoint = `http://127.0.0.1:${port}`
  // A server that is still starting is waited for as long as it lives: on a loaded machine (CI's two cores,
  // several emulators starting at once) moto's imports alone took over 20 s. The bound only catches a hang.
  const deadline = Date.now() + STARTUP_HANG_MS
  for (;;) {
    const state = await Promise.race([exited.then(() => 'exited' as const), delay(100).then(() => 'waiting' as const)])
    if (state === 'exited') throw new Error(`moto_server exited before it was ready (is moto[server] installed for python3?)\n${log}`)
    try {
      const response = await fetch(`${endpoint}/moto-api/`)
      if (response.ok) break
    } catch {
      // not listening yet
    }

    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`moto_server did not answer on ${endpoint} within ${STARTUP_HANG_MS / 1000} s\n${log}`)
    }
  }

  return {
    endpoint,
    port,
    async stop() {
      if (child.exitCode !== null) return
      child.kill('SIGTERM')
      const stopped = await Promise.race([exited.then(() => true), delay(3000).then(() => false)])
      if (!stopped) child.kill('SIGKILL')
    },
  }
}

/**
 * Environment for anything that talks to the emulator: fake credentials, no real endpoint reachable,
 * and no pacing (the emulator has no quotas; a test of the quotas sets its proxy's scale instead).
 */
export function emulatorEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    SECRETS_AWS_QUOTA_SCALE: 'off',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  }
}

/** The caller's environment less anything that could point the SDK at a real account. */
export function scrubbedEnv(): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith('AWS_') || key === 'CI' || key === 'FORCE_COLOR') continue
    env[key] = value
  }

  env.AWS_CONFIG_FILE = '/dev/null'
  env.AWS_SHARED_CREDENTIALS_FILE = '/dev/null'
  return env
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
