#!/usr/bin/env node
'use strict'
// Runs the bundled CLI (scripts/bundle.ts) through a V8 code cache, so a cold start compiles almost
// nothing: see docs/PERFORMANCE.md. CommonJS on purpose (bin/package.json): an ES module entry would
// start Node's ESM loader for nothing.
const path = require('node:path')
const {loadBundle} = require('./load-bundle.cjs')

// The SDK warns on every call under Node 20; users and pipelines must not see that noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

const dist = path.resolve(__dirname, '..', 'dist')
const commandKey = process.argv[2]
const cli = loadBundle(path.join(dist, 'cli.cjs'), commandKey)
// A command's bundle shares this oclif; oclif finds the commands through dist/commands.cjs.
globalThis.__secretsLoadCommand = (id) =>
  loadBundle(path.join(dist, 'commands', cli.commandFile(id)), commandKey, {'@oclif/core': cli.oclif}).default
globalThis.__secretsCommands = cli.COMMANDS
cli.run(process.argv.slice(2), path.resolve(__dirname, '..'))
