'use strict'
// Preloaded into the CLI under test with NODE_OPTIONS=--require: records every child process the CLI
// starts (file, argv and the environment it would get) and, at exit, the CLI's own environment, as
// JSON lines in SECRETS_TEST_SPAWN_LOG. The CLI should start no child at all.
const cp = require('node:child_process')
const fs = require('node:fs')

const log = process.env.SECRETS_TEST_SPAWN_LOG
if (log) {
  const record = (entry) => {
    try {
      fs.appendFileSync(log, `${JSON.stringify({pid: process.pid, ...entry})}\n`)
    } catch {}
  }

  // spawn, exec, execFile and fork all go through ChildProcess.prototype.spawn.
  const spawn = cp.ChildProcess.prototype.spawn
  cp.ChildProcess.prototype.spawn = function (options) {
    record({kind: 'spawn', file: options && options.file, args: options && options.args, env: (options && options.envPairs) || null})
    return spawn.call(this, options)
  }

  for (const name of ['spawnSync', 'execSync', 'execFileSync']) {
    const original = cp[name]
    cp[name] = function (...args) {
      record({kind: name, file: args[0], args: Array.isArray(args[1]) ? args[1] : [], env: (args.find((a) => a && typeof a === 'object' && !Array.isArray(a) && a.env) || {}).env || null})
      return original.apply(this, args)
    }
  }

  process.on('exit', () => record({kind: 'exit-env', env: process.env, argv: process.argv}))
}
