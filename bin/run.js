#!/usr/bin/env node
'use strict'
// Runs the bundled CLI (scripts/bundle.ts) through V8 code caches, so a cold start compiles almost
// nothing: see docs/PERFORMANCE.md. CommonJS on purpose (bin/package.json): an ES module entry would
// start Node's ESM loader for nothing.
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const {createLoader} = require('./load-bundle.cjs')

// The SDK warns on every call under Node 20; users and pipelines must not see that noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

const dist = path.resolve(__dirname, '..', 'dist')
const loader = createLoader(dist)

// A user with no passwd entry (a container run with an arbitrary uid) and a bare environment: where
// HOME or SHELL is unset, os.homedir() and os.userInfo() throw, and oclif calls both while loading
// (userInfo for the shell when SHELL is unset). Such a user has no home, which passwd spells
// /nonexistent for system users: the SDK then finds no ~/.aws files (rather than looking in the current
// folder), and nothing is written. An empty SHELL is oclif's "unknown shell". The code cache folder was
// chosen above, before this: there is none.
function hasPasswdEntry() {
  try {
    os.userInfo()
    return true
  } catch {
    return false
  }
}

if ((!process.env.HOME || process.env.SHELL === undefined) && !hasPasswdEntry()) {
  process.env.HOME ||= '/nonexistent'
  process.env.SHELL ??= ''
}

/**
 * The code cache of cli.cjs is kept per command, from a fixed vocabulary: the commands of this install
 * (their bundles' names), `help` and `version` for the flags, and one key for anything else. Never the
 * argument itself: a value pasted where a command belongs must not become a file name.
 */
function startKey(first) {
  if (first === '--help' || first === '-h') return 'help'
  if (first === '--version' || first === '-v') return 'version'
  if (typeof first !== 'string' || !/^[a-z][\w:-]*$/.test(first)) return 'other'
  let commands = []
  try {
    commands = fs.readdirSync(path.join(dist, 'commands'))
  } catch {}

  const file = `${first.replaceAll(':', '-')}.cjs`
  return commands.includes(file) ? file.slice(0, -4) : 'other'
}

const key = startKey(process.argv[2])
// migrate and promote favour memory over speed (bin/heap.cjs), from before the first bundle loads;
// the other commands never read that file (test/heap.test.ts checks which commands set the flags).
if (key === 'migrate' || key === 'promote') require('./heap.cjs').favourMemoryOverSpeed()
// scan and grant parse Terraform with WebAssembly, on V8's baseline compiler alone (bin/wasm.cjs).
if (key === 'scan' || key === 'grant') require('./wasm.cjs').baselineWasmOnly()
const cli = loader.load(path.join(dist, 'cli.cjs'), key)

/**
 * What a command bundle requires by name: the oclif of cli.cjs (one oclif per process), and the shared
 * bundles of dist/lib (the SDK clients, secretlint), each loaded once, on its first require.
 */
const libs = new Map()
function link(key) {
  return (id) => {
    if (id === '@oclif/core') return cli.loadOclif()
    const file = cli.LIBS[id]
    if (file === undefined) return undefined
    if (!libs.has(file)) libs.set(file, loader.load(path.join(dist, file), key))
    return libs.get(file)
  }
}

// oclif finds the commands through dist/commands.cjs; `id` is one of its COMMANDS, never raw argv.
globalThis.__secretsLoadCommand = (id) => {
  const file = cli.commandFile(id)
  return loader.load(path.join(dist, 'commands', file), file.slice(0, -4), link(file.slice(0, -4))).default
}

globalThis.__secretsCommands = cli.COMMANDS
cli.run(process.argv.slice(2), path.resolve(__dirname, '..'))
