import {chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {runCliAs} from '../helpers/other-user.js'
import {LEAKY_TEMPLATE, OFFLINE_ENV} from '../helpers/scan.js'

const OFFLINE = OFFLINE_ENV

const LEAKY = LEAKY_TEMPLATE

const dirs: string[] = []
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'scan-bad-'))
  dirs.push(dir)
  return dir
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, {recursive: true, force: true})
})

interface Report {
  skipped: Array<{file: string; reason: string}>
  unparsable: Array<{file: string; reason: string}>
  templates: Array<{file: string}>
}

describe('secrets scan on bad input', () => {
  it('skips a 50 MB file from its size, without reading it, and scans the rest', async () => {
    const dir = workspace()
    writeFileSync(join(dir, 'template.yaml'), LEAKY)
    writeFileSync(join(dir, 'huge.yaml'), '')
    truncateSync(join(dir, 'huge.yaml'), 50 * 1024 * 1024)
    const started = Date.now()
    const result = await runCli(['scan', '--json'], {env: OFFLINE, cwd: dir})
    expect(Date.now() - started).toBeLessThan(20_000)
    expect(result.code).toBe(7)
    const report = JSON.parse(result.stdout) as Report
    expect(report.skipped).toEqual([{file: 'huge.yaml', reason: 'skipped: 52428800 bytes, more than the 5242880 a template may have'}])
    expect(report.templates.map((item) => item.file)).toEqual(['template.yaml'])
  })

  it('answers a YAML bomb (aliases expanding without bound) at once, without expanding it', async () => {
    const dir = workspace()
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for (let level = 1; level < 12; level++) {
      const previous = String.fromCodePoint(96 + level)
      const name = String.fromCodePoint(97 + level)
      levels.push(`${name}: &${name} [${Array.from({length: 9}, () => `*${previous}`).join(',')}]`)
    }

    const bomb = `AWSTemplateFormatVersion: '2010-09-09'\nMappings:\n  Bomb:\n${levels.map((line) => `    ${line}`).join('\n')}\nResources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Environment:\n        Variables:\n${Array.from({length: 1500}, (_, index) => `          V${index}: *l`).join('\n')}\n`
    writeFileSync(join(dir, 'bomb.yaml'), bomb)
    const started = Date.now()
    const result = await runCli(['scan', '--json'], {env: OFFLINE, cwd: dir})
    expect(Date.now() - started).toBeLessThan(20_000)
    expect(result.code).toBe(2)
    const report = JSON.parse(result.stdout) as Report
    expect(report.unparsable).toEqual([expect.objectContaining({file: 'bomb.yaml', reason: 'more than 1000 YAML aliases'})])
  })

  it('says a symbolic link loop and a link to a directory, and follows neither', async () => {
    const dir = workspace()
    writeFileSync(join(dir, 'template.yaml'), LEAKY)
    symlinkSync(join(dir, 'b.yaml'), join(dir, 'a.yaml'))
    symlinkSync(join(dir, 'a.yaml'), join(dir, 'b.yaml'))
    mkdirSync(join(dir, 'sub'))
    symlinkSync(dir, join(dir, 'sub', 'up'))
    const result = await runCli(['scan', '--json'], {env: OFFLINE, cwd: dir})
    expect(result.code).toBe(7)
    const report = JSON.parse(result.stdout) as Report
    expect(report.skipped).toEqual([
      {file: 'a.yaml', reason: 'a symbolic link loop'},
      {file: 'b.yaml', reason: 'a symbolic link loop'},
      {file: 'sub/up', reason: 'a symbolic link to a directory (not followed)'},
    ])
    const named = await runCli(['scan', 'a.yaml'], {env: OFFLINE, cwd: dir})
    expect(named.code).toBe(0)
    expect(named.stdout).toContain('a.yaml: a symbolic link loop')
  })

  it('skips invalid UTF-8 and binary files, saying which', async () => {
    const dir = workspace()
    writeFileSync(join(dir, 'latin1.yaml'), Buffer.from([0x41, 0x3a, 0x20, 0xe9, 0xff, 0xfe, 0x0a]))
    writeFileSync(join(dir, 'blob.json'), Buffer.from([0x7b, 0x00, 0x01, 0x02, 0x7d]))
    const result = await runCli(['scan'], {env: OFFLINE, cwd: dir})
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('  blob.json: skipped: binary (holds NUL bytes)')
    expect(result.stdout).toContain('  latin1.yaml: skipped: not valid UTF-8')
  })

  it.runIf(process.getuid?.() === 0)('says a file it may not read, run as another user, and scans the rest', async () => {
    const dir = workspace()
    chmodSync(dir, 0o755)
    writeFileSync(join(dir, 'template.yaml'), LEAKY, {mode: 0o644})
    writeFileSync(join(dir, 'locked.yaml'), LEAKY, {mode: 0o000})
    const result = await runCliAs(65_534, ['scan', dir, '--json'])
    expect(result.code, result.stderr).toBe(7)
    const report = JSON.parse(result.stdout) as Report
    expect(report.skipped).toEqual([{file: join(basename(dir), 'locked.yaml'), reason: 'cannot be read: permission denied'}])
    expect(report.templates).toHaveLength(1)
  })
})
