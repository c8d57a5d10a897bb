'use strict'
// Compiles a CommonJS bundle with a V8 code cache kept beside it (or in the user's cache folder when
// the package folder is read-only). One cache per bundle and command, since each run compiles
// different code. The cache holds compiled code only, never data or values.
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const vm = require('node:vm')
const Module = require('node:module')

function cacheFiles(bundle, key) {
  const safeKey = String(key ?? 'root').replace(/[^\w-]/g, '_').slice(0, 40) || 'root'
  const name = `${path.basename(bundle, '.cjs')}-${safeKey}-${process.version}-${process.arch}.bin`
  return [
    path.join(path.dirname(bundle), '.v8-cache', name),
    path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'secrets', 'v8-cache', name),
  ]
}

function readFirst(files) {
  for (const file of files) {
    try {
      return fs.readFileSync(file)
    } catch {}
  }

  return undefined
}

function writeFirst(files, data) {
  for (const file of files) {
    try {
      fs.mkdirSync(path.dirname(file), {recursive: true})
      fs.writeFileSync(`${file}.${process.pid}`, data)
      fs.renameSync(`${file}.${process.pid}`, file)
      return
    } catch {}
  }
}

/**
 * Runs `bundle` as a CommonJS module and returns its exports. `provided` maps module ids to exports
 * handed over instead of loaded (commands share the oclif of the main bundle).
 */
exports.loadBundle = function loadBundle(bundle, key, provided = {}) {
  const source = fs.readFileSync(bundle, 'utf8')
  const useCache = process.env.SECRETS_NO_CODE_CACHE !== '1'
  const files = cacheFiles(bundle, key)
  const cachedData = useCache ? readFirst(files) : undefined
  const script = new vm.Script(Module.wrap(source), {filename: bundle, cachedData})
  if (useCache && (cachedData === undefined || script.cachedDataRejected)) {
    // Written at exit, so the functions this run compiled lazily are in the cache too.
    process.once('exit', () => writeFirst(files, script.createCachedData()))
  }

  const realRequire = Module.createRequire(bundle)
  const bundleRequire = Object.assign((id) => (id in provided ? provided[id] : realRequire(id)), realRequire)
  const module = {exports: {}}
  script.runInThisContext()(module.exports, bundleRequire, module, bundle, path.dirname(bundle))
  return module.exports
}
