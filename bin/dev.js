#!/usr/bin/env -S node --import tsx
// Runs the TypeScript sources directly (tsx): commands are found in src/commands, not in the bundle
// that bin/run.js loads. For development only; `npm run build` makes what users run.
import {readFileSync} from 'node:fs'

import {execute} from '@oclif/core'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

const root = new URL('..', import.meta.url).pathname
const pjson = JSON.parse(readFileSync(`${root}package.json`, 'utf8'))
pjson.oclif.commands = './src/commands'
await execute({development: true, dir: import.meta.url, loadOptions: {root, pjson}})
