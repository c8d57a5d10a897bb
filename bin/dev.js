#!/usr/bin/env -S node --import tsx
'use strict'
// Runs the TypeScript sources directly (tsx): commands are found in src/commands, not in the bundles
// that bin/run.js loads. For development only; `npm run build` makes what users run.
const {readFileSync} = require('node:fs')
const path = require('node:path')

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

const root = path.resolve(__dirname, '..')
const pjson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'))
pjson.oclif.commands = './src/commands'
import('@oclif/core').then(({execute}) => execute({development: true, dir: root, loadOptions: {root, pjson}}))
