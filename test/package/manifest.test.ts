import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {ROOT} from '../helpers/cli.js'

describe('oclif.manifest.json', () => {
  it('is committed exactly as the build generates it', () => {
    // `npm test` builds first, which regenerates the manifest; the committed copy must match it.
    const generated = JSON.parse(readFileSync(`${ROOT}oclif.manifest.json`, 'utf8'))
    const committed = JSON.parse(execFileSync('git', ['show', 'HEAD:oclif.manifest.json'], {cwd: ROOT, encoding: 'utf8'}))
    expect(committed).toEqual(generated)
  })

  it('lists every command file', () => {
    const manifest = JSON.parse(readFileSync(`${ROOT}oclif.manifest.json`, 'utf8'))
    const files = execFileSync('git', ['ls-files', 'src/commands'], {cwd: ROOT, encoding: 'utf8'})
      .split('\n')
      .filter((file) => file.endsWith('.ts'))
      .map((file) => file.replace(/^src\/commands\//, '').replace(/\.ts$/, '').replaceAll('/', ':'))
    for (const id of files) expect(Object.keys(manifest.commands)).toContain(id)
  })
})
