/**
 * The launcher (bin/run.js, bin/load-bundle.cjs) as users meet it: a copy of the built install, run as
 * a child process, with V8 code caches that must never run stale code, never stop a start and never
 * write into a read-only install. What a typed value must never reach is in test/safety/leaks.test.ts.
 */
import {execFileSync, spawnSync, type SpawnSyncOptions} from 'node:child_process'
import {chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {ROOT, cliEnv, uniqueEnv} from '../helpers/cli.js'
import {packAndInstallGlobally} from '../helpers/npm-install.js'
import {nodeForOtherUsers} from '../helpers/other-user.js'

/** A uid and gid with no passwd entry, as a container started with `--user 12345` has. */
const NOBODY = 12_345
/**
 * What such a container's environment lacks besides: no login set SHELL, USER or LOGNAME. Without SHELL,
 * oclif asks os.userInfo() for the shell, which throws for a uid with no passwd entry; CI's bare
 * environment found that where a session's shell, which sets SHELL, did not.
 */
const BARE_LOGIN = {SHELL: undefined, USER: undefined, LOGNAME: undefined}
const canSwitchUser = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0

let work: string

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'secrets-launcher-'))
  // Other users (NOBODY) must be able to reach the installs and folders made below it.
  chmodSync(work, 0o755)
})

afterAll(() => {
  if (work) rmSync(work, {recursive: true, force: true})
})

/** A copy of the built package as npm installs it: bin/, the bundles, package.json, the manifest. */
function copyInstall(name: string): string {
  const dir = join(work, name)
  mkdirSync(dir, {recursive: true})
  for (const entry of ['bin', 'dist', 'package.json', 'oclif.manifest.json']) {
    cpSync(join(ROOT, entry), join(dir, entry), {recursive: true, filter: (source) => !source.includes('.v8-cache')})
  }

  return dir
}

/** A folder for HOME and the caches of one test, owned by `uid`. */
function homeFor(name: string, uid = 0): string {
  const home = join(work, name)
  mkdirSync(home, {recursive: true})
  chownSync(home, uid, uid)
  return home
}

/** Every file under `dir`, with its size and change time, so a test can see what a run wrote. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (at: string) => {
    for (const entry of readdirSync(at, {withFileTypes: true})) {
      const path = join(at, entry.name)
      if (entry.isDirectory()) walk(path)
      else {
        const info = statSync(path, {bigint: true})
        out[relative(dir, path)] = `${info.size}/${info.ino}/${info.mtimeNs}`
      }
    }
  }

  if (existsSync(dir)) walk(dir)
  return out
}

interface Run {
  status: number | null
  stdout: string
  stderr: string
}

/** Runs `bin/run.js` of `install`, as root or (with `uid`) as a user with no passwd entry. */
function run(install: string, args: string[], options: {env?: Record<string, string | undefined>; uid?: number; input?: string} = {}): Run {
  const asked = options.uid === undefined ? options.env : {...BARE_LOGIN, ...options.env}
  const env = cliEnv({SECRETS_NO_CODE_CACHE: undefined, ...asked})
  const unset = Object.entries(asked ?? {})
    .filter(([, value]) => value === undefined)
    .flatMap(([name]) => ['-u', name])
  const command = [options.uid === undefined ? process.execPath : nodeForOtherUsers(work), join(install, 'bin', 'run.js'), ...args]
  const spawnOptions: SpawnSyncOptions = {env, encoding: 'utf8', input: options.input ?? '', cwd: work}
  const result =
    options.uid === undefined
      ? spawnSync(command[0], command.slice(1), spawnOptions)
      : spawnSync('setpriv', [`--reuid=${options.uid}`, `--regid=${options.uid}`, '--clear-groups', 'env', ...unset, ...command], spawnOptions)
  return {status: result.status, stdout: String(result.stdout), stderr: String(result.stderr)}
}

const STACK_TRACE = /^\s{4}at /m

/** What DEBUG=secrets:code-cache said of each bundle's cache: `cli hit`, `commands+get written`, ... */
function cacheTrace(result: Run): string[] {
  return [...result.stderr.matchAll(/^secrets:code-cache ([\w+-]+)@\S+ (.+)$/gm)].map(([, bundle, what]) => `${bundle} ${what}`)
}

describe('the code cache', () => {
  it('runs the new code after a same-length edit of a bundle, and drops the cache of the old one', () => {
    const install = copyInstall('edited')
    const home = homeFor('edited-home')
    const env = {HOME: home, XDG_CACHE_HOME: undefined}
    const caches = join(install, 'dist', '.v8-cache')
    // What an earlier release left behind: its file names, beside the bundles and in the user's cache.
    mkdirSync(caches, {recursive: true})
    writeFileSync(join(caches, 'cli-nosuchcommand-v20.20.2-x64.bin'), 'old')
    mkdirSync(join(install, 'dist', 'commands', '.v8-cache'))
    writeFileSync(join(install, 'dist', 'commands', '.v8-cache', 'get-get-v20.20.2-x64.bin'), 'old')
    mkdirSync(join(home, '.cache', 'secrets', 'v8-cache'), {recursive: true})
    writeFileSync(join(home, '.cache', 'secrets', 'v8-cache', 'cli-get-v20.20.2-x64.bin'), 'old')

    expect(run(install, ['nosuchcommand'], {env}).stderr).toContain('"secrets --help" lists the commands.')
    const first = Object.keys(snapshot(caches))
    expect(first.length).toBeGreaterThan(0)
    // A second run finds the cache (no new file); it would hide the edit below if keyed by length.
    expect(run(install, ['nosuchcommand'], {env}).stderr).toContain('"secrets --help" lists the commands.')
    expect(Object.keys(snapshot(caches))).toEqual(first)

    const bundle = join(install, 'dist', 'cli.cjs')
    const source = readFileSync(bundle, 'utf8')
    // The not-found hint (src/ui/not-found.ts, bundled in cli.cjs): an edit of the same length.
    const edited = source.replaceAll('lists the commands', 'LISTS THE COMMANDS')
    expect(edited.length).toBe(source.length)
    writeFileSync(bundle, edited)
    expect(run(install, ['nosuchcommand'], {env}).stderr).toContain('"secrets --help" LISTS THE COMMANDS.')

    // The cache of the old cli.cjs and the old release's files are gone; the new one is there.
    const after = Object.keys(snapshot(caches))
    expect(after).toHaveLength(first.length)
    expect(after).not.toEqual(first)
    expect(after.filter((name) => !name.includes('@'))).toEqual([])
    expect(readdirSync(join(home, '.cache', 'secrets', 'v8-cache')).filter((name) => name.endsWith('.bin'))).toEqual([])
    expect(readdirSync(join(install, 'dist', 'commands', '.v8-cache'))).toEqual([])
    expect(run(install, ['nosuchcommand'], {env}).stderr).toContain('"secrets --help" LISTS THE COMMANDS.')
  }, 60_000)
})

describe.runIf(canSwitchUser)('a user with no home', () => {
  it('starts with no HOME and no passwd entry, without a cache, and writes nothing', () => {
    const install = copyInstall('homeless')
    const before = snapshot(install)
    const env = {HOME: undefined, XDG_CACHE_HOME: undefined}
    const version = run(install, ['--version'], {uid: NOBODY, env: {...env, DEBUG: 'secrets:code-cache'}})
    expect(version.stderr).not.toMatch(STACK_TRACE)
    expect(version.status, version.stderr).toBe(0)
    expect(version.stdout).toMatch(/^secrets\/\d+\.\d+\.\d+/)
    expect(cacheTrace(version)).toEqual(['cli off (nowhere to keep it)'])

    // A command that calls AWS (the emulator) too: the SDK looks for ~/.aws, which it cannot find.
    const scope = `${uniqueEnv('homeless')}/api`
    const list = run(install, ['list', scope], {uid: NOBODY, env})
    expect(list.stderr).not.toMatch(STACK_TRACE)
    expect(list.status, list.stderr).toBe(0)
    expect(snapshot(install)).toEqual(before)
  }, 60_000)
})

describe.runIf(canSwitchUser)('a read-only global install', () => {
  let prefix: string
  let install: string
  let home: string

  beforeAll(() => {
    prefix = join(work, 'global')
    packAndInstallGlobally(work, prefix)
    install = join(prefix, 'lib', 'node_modules', 'secrets')
    execFileSync('chmod', ['-R', 'a-w', prefix])
    home = homeFor('readonly-home', NOBODY)
  }, 240_000)

  afterAll(() => {
    if (prefix) execFileSync('chmod', ['-R', 'u+w', prefix])
  })

  it('works, writes nothing into the package, and its second run uses the cache of the first', () => {
    const env = {HOME: home, XDG_CACHE_HOME: undefined, DEBUG: 'secrets:code-cache'}
    const before = snapshot(prefix)
    const scope = `${uniqueEnv('readonly')}/api`
    const set = run(install, ['set', scope, 'RO'], {uid: NOBODY, env, input: 'from-a-read-only-install\n'})
    expect(set.stderr).not.toMatch(STACK_TRACE)
    expect(set.status, set.stderr).toBe(0)

    const first = run(install, ['get', scope, 'RO'], {uid: NOBODY, env})
    expect(first.stdout).toBe('from-a-read-only-install')
    expect(cacheTrace(first)).toEqual(['cli miss', 'commands+get miss', 'lib+aws-sdk-client-secrets-manager miss', 'cli written', 'commands+get written', 'lib+aws-sdk-client-secrets-manager written'])
    const cache = join(home, '.cache', 'secrets', 'v8-cache')
    const afterFirst = snapshot(cache)
    expect(Object.keys(afterFirst)).toHaveLength(6) // cli, command and client, for set and for get

    // The second run found every cache it needs, in the user's cache folder: it wrote none.
    const second = run(install, ['get', scope, 'RO'], {uid: NOBODY, env})
    expect(second.stdout).toBe('from-a-read-only-install')
    expect(cacheTrace(second)).toEqual(['cli hit', 'commands+get hit', 'lib+aws-sdk-client-secrets-manager hit'])
    expect(snapshot(cache)).toEqual(afterFirst)
    expect(snapshot(prefix)).toEqual(before)
  }, 60_000)

  it('with a read-only HOME as well, runs without a cache, finding the folder unwritable before serialising one', () => {
    const lockedHome = homeFor('readonly-locked-home', NOBODY)
    chmodSync(lockedHome, 0o555)
    const env = {HOME: lockedHome, XDG_CACHE_HOME: undefined, DEBUG: 'secrets:code-cache'}
    const before = snapshot(prefix)
    for (let attempt = 0; attempt < 2; attempt++) {
      const result = run(install, ['--version'], {uid: NOBODY, env})
      expect(result.status, result.stderr).toBe(0)
      expect(cacheTrace(result)).toEqual(['cli miss', 'cli not written (EACCES)'])
    }

    expect(snapshot(lockedHome)).toEqual({})
    expect(snapshot(prefix)).toEqual(before)
  }, 60_000)
})

describe('plugins', () => {
  // oclif loads a user plugin's ES modules with import(), which the bundle (dynamic-import: false)
  // turns into a require() of a file URL: no plugin is loaded at all. This one is CommonJS, so that
  // loading it would show (an ES module one would fail silently).
  it('never loads a user plugin', () => {
    const install = copyInstall('plugins')
    const data = join(work, 'plugins-data')
    const plugin = join(data, 'secrets', 'node_modules', 'secrets-plugin-probe')
    mkdirSync(join(plugin, 'lib'), {recursive: true})
    writeFileSync(
      join(data, 'secrets', 'package.json'),
      JSON.stringify({private: true, oclif: {schema: 1, plugins: [{name: 'secrets-plugin-probe', type: 'user', tag: 'latest'}]}, dependencies: {'secrets-plugin-probe': '1.0.0'}}),
    )
    writeFileSync(
      join(plugin, 'package.json'),
      JSON.stringify({name: 'secrets-plugin-probe', version: '1.0.0', type: 'commonjs', oclif: {hooks: {init: './lib/init.js'}}}),
    )
    writeFileSync(join(plugin, 'lib', 'init.js'), `module.exports = async () => require('node:fs').writeFileSync(${JSON.stringify(join(work, 'plugin-ran'))}, 'yes')\n`)

    const result = run(install, ['--version'], {env: {XDG_DATA_HOME: data, HOME: homeFor('plugins-home')}})
    expect(result.status, result.stderr).toBe(0)
    expect(result.stderr).toBe('')
    expect(existsSync(join(work, 'plugin-ran'))).toBe(false)
  }, 60_000)
})
