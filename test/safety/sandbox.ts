import {mkdtemp, readdir, readFile, stat} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {ROOT} from '../helpers/cli.js'

const PRELOAD = fileURLToPath(new URL('record-spawns.cjs', import.meta.url))

/**
 * A private HOME, XDG_CACHE_HOME, XDG_CONFIG_HOME, XDG_DATA_HOME and TMPDIR for the CLI under test,
 * so every file it writes lands where a test can read it, plus the spawn recorder preloaded.
 */
export interface Sandbox {
  /** Where the CLI may write: HOME, caches and TMPDIR are all under it. */
  root: string
  /** Outside `root`: the spawn recorder's log. */
  spawnLog: string
  env: Record<string, string>
}

export async function makeSandbox(): Promise<Sandbox> {
  const root = await mkdtemp(join(tmpdir(), 'secrets-sandbox-'))
  const logDir = await mkdtemp(join(tmpdir(), 'secrets-spawnlog-'))
  const spawnLog = join(logDir, 'spawns.jsonl')
  return {
    root,
    spawnLog,
    env: {
      HOME: join(root, 'home'),
      XDG_CACHE_HOME: join(root, 'cache'),
      XDG_CONFIG_HOME: join(root, 'config'),
      XDG_DATA_HOME: join(root, 'data'),
      TMPDIR: join(root, 'tmp'),
      TMP: join(root, 'tmp'),
      TEMP: join(root, 'tmp'),
      NODE_OPTIONS: `--require ${PRELOAD}`,
      SECRETS_TEST_SPAWN_LOG: spawnLog,
    },
  }
}

/** Every regular file under `dir` (recursively), with its bytes. */
export async function filesUnder(dir: string): Promise<{path: string; bytes: Buffer}[]> {
  const out: {path: string; bytes: Buffer}[] = []
  let entries: string[]
  try {
    entries = await readdir(dir)
  } catch {
    return out
  }

  for (const entry of entries) {
    const path = join(dir, entry)
    const info = await stat(path).catch(() => undefined)
    if (info?.isDirectory()) out.push(...(await filesUnder(path)))
    else if (info?.isFile()) out.push({path, bytes: await readFile(path)})
  }

  return out
}

/** What a leak check reads besides the sandbox: every V8 code cache kept beside the bundles in dist/. */
export async function codeCacheFiles(): Promise<{path: string; bytes: Buffer}[]> {
  return (await filesUnder(join(ROOT, 'dist'))).filter((file) => file.path.includes('/.v8-cache/'))
}

/** The forms a value could take in a file: its bytes, UTF-16 (V8 two-byte strings), base64, JSON-escaped. */
export function encodingsOf(canary: string): Buffer[] {
  return [
    Buffer.from(canary, 'utf8'),
    Buffer.from(canary, 'utf16le'),
    Buffer.from(Buffer.from(canary).toString('base64').slice(0, 16)),
  ]
}

export interface SpawnRecord {
  kind: string
  file?: string
  args?: string[]
  env?: unknown
  argv?: string[]
}

export async function spawnRecords(sandbox: Sandbox): Promise<SpawnRecord[]> {
  const text = await readFile(sandbox.spawnLog, 'utf8').catch(() => '')
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SpawnRecord)
}
