'use strict'
// Compiles the CommonJS bundles of dist/ through V8 code caches (docs/PERFORMANCE.md). A cache holds
// compiled code only, never data or values, and its file name is made of nothing a user typed:
//
//   <bundle>@<key>@<build id>.<file stamp>@<node version>-<arch>.bin
//
// - bundle: the bundle's path under dist/ ('commands/get.cjs' is commands+get);
// - key: chosen by bin/run.js from a fixed vocabulary (the command ids of this install, or one key for
//   anything else): one cache per command, since each command compiles different functions;
// - build id: the SHA-256 of the bundle's content, which scripts/bundle.ts writes on its last line;
// - file stamp: a hash of the file's inode, size, modification and change times. Any write to the file
//   after the build (an edit, a copy, a reinstall) changes its change time, which no tool can set back.
// V8 accepts cached data for any source of the same length, so without the last two an edited or
// upgraded bundle would run the code compiled for the old one. Hashing the content at every start
// would cost more than the rest of the launcher (loading node:crypto or node:zlib alone takes 2 to 20
// ms), so the build hashes it once and the launcher only reads a stat it makes anyway.
//
// Where: dist/.v8-cache when the package folder is writable; else $XDG_CACHE_HOME/secrets/v8-cache
// (~/.cache when XDG_CACHE_HOME is unset), in a folder of its own per install; else nowhere (no HOME
// and no passwd entry: the CLI runs, only without a cache). Never the shared temp folder, where another
// user could plant compiled code. A cache is written at exit when there was none or V8 rejected it;
// that write also removes every cache no bundle of this install can use any more (other builds,
// edited or removed bundles, the file names of earlier releases).
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const vm = require('node:vm')
const Module = require('node:module')

const BUNDLE_ID = /^[\w-]+(?:\+[\w-]+)*$/

/** FNV-1a of a short string, as 8 hex digits: names, not security (the folders are the user's own). */
function fnv(text) {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193)
  return (hash >>> 0).toString(16).padStart(8, '0')
}

/** The build id on a bundle's last line (scripts/bundle.ts), and a stamp of the file that holds it. */
function fingerprint(bytes, info) {
  const build = /\/\/# build-id=([0-9a-f]{16})\s*$/.exec(bytes.subarray(Math.max(0, bytes.length - 64)).toString('latin1'))?.[1] ?? 'none'
  return `${build}.${fnv(`${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`)}`
}

/** A bundle's bytes and fingerprint, from one open file. */
function readBundle(bundle) {
  const fd = fs.openSync(bundle, 'r')
  try {
    const info = fs.fstatSync(fd, {bigint: true})
    const bytes = fs.readFileSync(fd)
    return {bytes, fingerprint: fingerprint(bytes, info)}
  } finally {
    fs.closeSync(fd)
  }
}

/** The base of the user's cache folder, or undefined: no usable XDG_CACHE_HOME, HOME or passwd entry. */
function userCacheBase() {
  const xdg = process.env.XDG_CACHE_HOME
  if (xdg && path.isAbsolute(xdg)) return xdg
  let home = process.env.HOME
  if (!home || !path.isAbsolute(home)) {
    try {
      // Throws when the user has no passwd entry (a container started with an arbitrary uid).
      home = os.homedir()
    } catch {
      return undefined
    }
  }

  return home && path.isAbsolute(home) ? path.join(home, '.cache') : undefined
}

function writable(dir) {
  try {
    fs.accessSync(dir, fs.constants.W_OK)
    return true
  } catch {
    return false
  }
}

/**
 * The folder of this install's caches: beside the bundles when the package folder is writable, else
 * one per install (named by a hash of the install's path) in the user's cache folder, else undefined.
 */
function cacheDir(dist) {
  const beside = path.join(dist, '.v8-cache')
  if (writable(fs.existsSync(beside) ? beside : dist)) return beside
  const base = userCacheBase()
  return base && path.join(base, 'secrets', 'v8-cache', fnv(dist))
}

/** Removes what no bundle of this install can use: caches of other contents, of bundles gone, of older layouts. */
function removeStale(dir, dist) {
  const hashes = new Map()
  const hashOf = (bundleId) => {
    if (!hashes.has(bundleId)) {
      let hash = null
      try {
        hash = readBundle(path.join(dist, `${bundleId.replaceAll('+', '/')}.cjs`)).fingerprint
      } catch {}
      hashes.set(bundleId, hash)
    }

    return hashes.get(bundleId)
  }

  const remove = (file) => {
    try {
      fs.unlinkSync(file)
    } catch {}
  }

  for (const entry of fs.readdirSync(dir, {withFileTypes: true})) {
    if (!entry.isFile()) continue
    const file = path.join(dir, entry.name)
    const [bundleId, key, hash, rest, ...more] = entry.name.split('@')
    if (entry.name.endsWith('.tmp')) {
      // Another process's write in progress, unless it is old.
      if (Date.now() - (fs.statSync(file, {throwIfNoEntry: false})?.mtimeMs ?? 0) > 60_000) remove(file)
      continue
    }

    const current = rest?.endsWith('.bin') && more.length === 0 && key && BUNDLE_ID.test(bundleId) && hash === hashOf(bundleId)
    if (!current) remove(file)
  }

  // Earlier releases kept the caches of every install directly in ~/.cache/secrets/v8-cache, and those
  // of the command bundles in dist/commands/.v8-cache.
  const base = userCacheBase()
  for (const old of [base && path.join(base, 'secrets', 'v8-cache'), path.join(dist, 'commands', '.v8-cache')]) {
    try {
      for (const entry of old ? fs.readdirSync(old, {withFileTypes: true}) : []) {
        if (entry.isFile() && entry.name.endsWith('.bin')) remove(path.join(old, entry.name))
      }
    } catch {}
  }
}

/**
 * DEBUG=secrets:code-cache (or secrets:*, or *) says on stderr what became of each bundle's cache:
 * hit, miss, rejected, written, or not written. Only file names of this install are printed.
 */
const tracing = /(?:^|[\s,])(?:\*|secrets:\*|secrets:code-cache)(?:$|[\s,])/.test(process.env.DEBUG ?? '')
const trace = tracing ? (name, what) => process.stderr.write(`secrets:code-cache ${name} ${what}\n`) : () => {}

/**
 * Writes a cache made by `makeData`, which is only called once the file could be opened: serialising
 * a cache costs as much as a third of a run, and must not be paid at every exit where nothing can be
 * kept (a read-only HOME).
 */
function writeCache(dir, dist, name, makeData) {
  const temporary = path.join(dir, `${name}.${process.pid}.tmp`)
  let fd
  try {
    fs.mkdirSync(dir, {recursive: true, mode: 0o700})
    fd = fs.openSync(temporary, 'wx', 0o644)
  } catch (error) {
    trace(name, `not written (${error.code ?? 'error'})`)
    return
  }

  try {
    fs.writeFileSync(fd, makeData())
    fs.closeSync(fd)
    fd = undefined
    fs.renameSync(temporary, path.join(dir, name))
    trace(name, 'written')
    removeStale(dir, dist)
  } catch (error) {
    // No cache this time: the next run compiles again, and nothing else changes.
    trace(name, `not written (${error.code ?? 'error'})`)
    if (fd !== undefined) fs.closeSync(fd)
    try {
      fs.unlinkSync(temporary)
    } catch {}
  }
}

/**
 * Loads the bundles under `dist` (a folder of one install) through code caches. `load(bundle, key,
 * link)` runs `bundle` as a CommonJS module and returns its exports; `key` must come from a fixed
 * vocabulary, never from argv; `link(id)` may return the exports to hand over for a require of `id`
 * (undefined: a plain require).
 */
exports.createLoader = function createLoader(dist) {
  const useCache = process.env.SECRETS_NO_CODE_CACHE !== '1'
  // Chosen now, from the environment the user started us with.
  const dir = useCache ? cacheDir(dist) : undefined
  const pending = []
  if (useCache) {
    // Written at exit, so the functions this run compiled lazily are in the cache too.
    process.once('exit', () => {
      for (const write of pending) write()
    })
  }

  return {
    /** The folder this process reads and writes its caches in (undefined: none), for tests and tools. */
    cacheDir: () => dir,
    load(bundle, key, link = () => undefined) {
      const {bytes, fingerprint} = readBundle(bundle)
      const where = this.cacheDir()
      const bundleId = path.relative(dist, bundle).replace(/\.cjs$/, '').split(path.sep).join('+')
      const name = `${bundleId}@${key}@${fingerprint}@${process.version}-${process.arch}.bin`
      let cachedData
      if (where) {
        try {
          cachedData = fs.readFileSync(path.join(where, name))
        } catch {}
      }

      const script = new vm.Script(Module.wrap(bytes.toString('utf8')), {filename: bundle, cachedData})
      if (!where) trace(name, useCache ? 'off (nowhere to keep it)' : 'off (SECRETS_NO_CODE_CACHE=1)')
      else if (cachedData !== undefined && !script.cachedDataRejected) trace(name, 'hit')
      else {
        trace(name, cachedData === undefined ? 'miss' : 'rejected')
        pending.push(() => writeCache(where, dist, name, () => script.createCachedData()))
      }

      const realRequire = Module.createRequire(bundle)
      const bundleRequire = Object.assign((id) => link(id) ?? realRequire(id), realRequire)
      const module = {exports: {}}
      script.runInThisContext()(module.exports, bundleRequire, module, bundle, path.dirname(bundle))
      return module.exports
    },
  }
}
