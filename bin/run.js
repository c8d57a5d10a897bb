#!/usr/bin/env node
// Runs the bundled CLI (dist/cli.cjs, built by scripts/bundle.ts) through a V8 code cache, so a cold
// start compiles almost nothing: see docs/PERFORMANCE.md. The cache holds compiled code, never data.
import {createRequire} from 'node:module'
import {fileURLToPath} from 'node:url'

// The SDK warns on every call under Node 20; users and pipelines must not see that noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

const root = fileURLToPath(new URL('..', import.meta.url))
const {loadBundle} = createRequire(import.meta.url)('./load-bundle.cjs')
const cli = loadBundle(`${root}dist/cli.cjs`, process.argv[2])
// oclif finds the commands through dist/commands.cjs, which hands it these (already loaded) classes.
globalThis.__secretsCommands = cli.COMMANDS
await cli.run(process.argv.slice(2), root)
