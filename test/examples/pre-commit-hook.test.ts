import {mkdtempSync, readFileSync, rmSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {cliEnv, ROOT, runProcess} from '../helpers/cli.js'
import {LEAKY_TEMPLATE, OFFLINE_ENV, workspaces} from '../helpers/scan.js'

interface Hook {
  id: string
  entry: string
  language: string
  files: string
  pass_filenames?: boolean
}

const hooks = parse(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[]
const hook = hooks.find((item) => item.id === 'secrets-scan')
const bin = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {bin: Record<string, string>}).bin
const workspace = workspaces('pre-commit-')

/**
 * pre-commit's `language: node` installs the repository as a global npm package in an environment of
 * its own, whose bin directory (npm links each `bin` entry there) is on PATH, and runs the entry's
 * words followed by the staged file names, from the repository's top.
 */
const installed = mkdtempSync(join(tmpdir(), 'pre-commit-bin-'))
afterAll(() => rmSync(installed, {recursive: true, force: true}))
for (const [name, path] of Object.entries(bin)) symlinkSync(join(ROOT, path), join(installed, name))

function runHook(repo: string, staged: string[]) {
  const [command, ...args] = hook!.entry.split(/\s+/)
  const filesPattern = new RegExp(hook!.files.replace(/^\(\?i\)/, ''), 'i')
  const env = cliEnv({...OFFLINE_ENV, PATH: `${installed}:${process.env.PATH}`})
  return runProcess(command, [...args, ...staged.filter((file) => filesPattern.test(file))], {cwd: repo, env})
}

const CLEAN = `Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Environment:
        Variables:
          DB_SECRET_ARN: !Ref DbSecret
`

describe('.pre-commit-hooks.yaml', () => {
  it('declares secrets-scan as a node hook whose entry is a bin of the package, given the file names', () => {
    expect(hook).toMatchObject({id: 'secrets-scan', language: 'node'})
    expect(hook!.pass_filenames ?? true).toBe(true)
    expect(Object.keys(bin)).toContain(hook!.entry.split(/\s+/)[0])
    const filesPattern = new RegExp(hook!.files.replace(/^\(\?i\)/, ''), 'i')
    for (const name of ['template.yaml', 'infra/stack.yml', 'cdk.out/App.template.json', 'main.tf', '.env', 'app/.env.production', 'prod.env', 'stack.template']) expect(filesPattern.test(name), name).toBe(true)
    for (const name of ['README.md', 'src/index.ts', 'environment.ts', 'Dockerfile']) expect(filesPattern.test(name), name).toBe(false)
  })

  it('fails a commit that adds a secret to a template, and passes one of clean templates and files that are not templates', async () => {
    const repo = workspace({
      'infra/leaky.yaml': LEAKY_TEMPLATE,
      'infra/clean.yaml': CLEAN,
      '.github/workflows/ci.yml': 'on: push\njobs: {}\n',
      'package.json': '{"name": "app"}\n',
      'README.md': '# app\n',
    })
    const leaky = await runHook(repo, ['infra/leaky.yaml', 'README.md'])
    expect(leaky.code, leaky.stderr).toBe(7)
    expect(leaky.stdout).toContain('infra/leaky.yaml')
    expect(leaky.stdout + leaky.stderr).not.toContain('CANARY')
    const clean = await runHook(repo, ['infra/clean.yaml', '.github/workflows/ci.yml', 'package.json', 'README.md'])
    expect(clean.code, clean.stdout + clean.stderr).toBe(0)
  })
})
