'use strict'
// Compiles a CommonJS bundle with a V8 code cache kept beside it (or in the user's cache folder when
// the package folder is read-only). One cache per command, since each compiles different code.
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const vm = require('node:vm')
const Module = require('node:module')

function cacheFile(bundle, key) {
  const name = `${String(key ?? 'root').replace(/[^\w-]/g, '_').slice(0, 40) || 'root'}-${process.version}-${process.arch}.bin`
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

exports.loadBundle = function loadBundle(bundle, key) {
  const source = fs.readFileSync(bundle, 'utf8')
  const useCache = process.env.SECRETS_NO_CODE_CACHE !== '1'
  const files = cacheFile(bundle, key)
  const cachedData = useCache ? readFirst(files) : undefined
  const script = new vm.Script(Module.wrap(source), {filename: bundle, cachedData})
  if (useCache && (cachedData === undefined || script.cachedDataRejected)) {
    // Written at exit, so the functions this run compiled lazily are in the cache too.
    process.once('exit', () => writeFirst(files, script.createCachedData()))
  }

  const module = {exports: {}}
  script.runInThisContext()(module.exports, Module.createRequire(bundle), module, bundle, path.dirname(bundle))
  return module.exports
}
