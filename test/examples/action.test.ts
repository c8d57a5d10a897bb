import {spawnSync} from 'node:child_process'
import {chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {cliEnv, ROOT, runProcess} from '../helpers/cli.js'
import {sarifValidator} from '../helpers/sarif.js'
import {LEAKY_TEMPLATE, OFFLINE_ENV, workspaces} from '../helpers/scan.js'

interface Step {
  id?: string
  if?: string
  uses?: string
  run?: string
  shell?: string
  env?: Record<string, string>
  with?: Record<string, string>
  'working-directory'?: string
}

interface Action {
  inputs: Record<string, {default?: string}>
  outputs: Record<string, {value: string}>
  runs: {using: string; steps: Step[]}
}

const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as Action
const workspace = workspaces('action-')

/** `npm` for the install step, offline: it records what it was asked; dist/ is already built (npm run build). */
const stubs = mkdtempSync(join(tmpdir(), 'action-npm-'))
afterAll(() => rmSync(stubs, {recursive: true, force: true}))
writeFileSync(join(stubs, 'npm'), `#!/usr/bin/env bash\necho "$PWD: npm $*" >> "${join(stubs, 'npm.log')}"\n`)
chmodSync(join(stubs, 'npm'), 0o755)

/**
 * Runs the action's `run` steps in order as a runner would: `${{ }}` expressions of inputs (their
 * defaults when not given), `github.action_path` and earlier steps' outputs substituted in env and
 * working-directory, GITHUB_OUTPUT read back after each step, bash with -eo pipefail. The upload step
 * (`uses`) needs GitHub and is only checked, not run. Returns the last step's exit code.
 */
async function runAction(workspaceDir: string, given: Record<string, string>) {
  const inputs = Object.fromEntries(Object.entries(action.inputs).map(([name, input]) => [name, given[name] ?? input.default ?? '']))
  const outputs: Record<string, Record<string, string>> = {}
  const expand = (text: string) =>
    text.replaceAll(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expression: string) => {
      const input = /^inputs\.([\w-]+)$/.exec(expression)
      if (input) return inputs[input[1]]
      const output = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expression)
      if (output) return outputs[output[1]]?.[output[2]] ?? ''
      if (expression === 'github.action_path') return ROOT.replace(/\/$/, '')
      throw new Error(`expression not emulated: ${expression}`)
    })
  let last = {code: 0 as number | null, stdout: '', stderr: ''}
  let log = ''
  for (const [index, step] of action.runs.steps.entries()) {
    if (step.uses !== undefined) continue
    expect(step.if, 'a run step the test would run unconditionally').toBeUndefined()
    expect(step.run, 'a step that neither runs nor uses').toBeDefined()
    expect(step.run, 'inputs reach scripts through env only').not.toContain('${{')
    const outputFile = join(workspaceDir, `.github-output-${index}`)
    writeFileSync(outputFile, '')
    const env = cliEnv({
      ...OFFLINE_ENV,
      ...Object.fromEntries(Object.entries(step.env ?? {}).map(([name, value]) => [name, expand(value)])),
      PATH: `${stubs}:${process.env.PATH}`,
      GITHUB_ACTION_PATH: ROOT.replace(/\/$/, ''),
      GITHUB_OUTPUT: outputFile,
      GITHUB_WORKSPACE: workspaceDir,
    })
    const cwd = step['working-directory'] === undefined ? workspaceDir : expand(step['working-directory'])
    last = await runProcess('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], {cwd, env})
    log += last.stdout + last.stderr
    if (step.id !== undefined) {
      outputs[step.id] = Object.fromEntries(
        readFileSync(outputFile, 'utf8').split('\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      )
    }

    if (last.code !== 0) break
  }

  return {code: last.code, log, outputs}
}

describe('action.yml', () => {
  it('is a composite action whose upload step sends the SARIF scan wrote to code scanning', () => {
    expect(action.runs.using).toBe('composite')
    expect(Object.keys(action.inputs)).toEqual(expect.arrayContaining(['path', 'fail-on', 'baseline']))
    const upload = action.runs.steps.find((step) => step.uses?.startsWith('github/codeql-action/upload-sarif@'))
    expect(upload?.with?.sarif_file).toBe('${{ inputs.sarif-file }}')
  })

  it('installs the CLI, writes valid SARIF, fails on a finding, and passes with the report as baseline', async () => {
    // A checkout, as actions/checkout leaves it: the baseline made on infra/ holds for a scan of the whole tree.
    const dir = workspace({'infra/template.yaml': LEAKY_TEMPLATE, 'README.md': '# app\n'})
    expect(spawnSync('git', ['init', '--quiet', dir]).status).toBe(0)
    // The other tests run the action too: the log holds this run's install alone.
    writeFileSync(join(stubs, 'npm.log'), '')
    const first = await runAction(dir, {path: 'infra'})
    expect(first.code, first.log).toBe(7)
    expect(first.outputs.scan['exit-code']).toBe('7')
    expect(readFileSync(join(stubs, 'npm.log'), 'utf8')).toBe(`${ROOT.replace(/\/$/, '')}: npm ci --no-audit --no-fund --loglevel=error\n${ROOT.replace(/\/$/, '')}: npm run build --silent\n`)
    expect(first.log).toContain('infra/template.yaml')
    expect(first.log).not.toContain('CANARY')
    const sarif = JSON.parse(readFileSync(join(dir, 'secrets-scan.sarif'), 'utf8')) as object
    expect(sarifValidator()(sarif)).toBe(true)

    copyFileSync(join(dir, 'secrets-scan.sarif'), join(dir, 'baseline.sarif'))
    const adopted = await runAction(dir, {path: '.', baseline: 'baseline.sarif', 'sarif-file': 'again.sarif'})
    expect(adopted.code, adopted.log).toBe(0)
    expect(JSON.parse(readFileSync(join(dir, 'again.sarif'), 'utf8'))).toMatchObject({version: '2.1.0'})
  })

  it('scans only what the branch changed with changed and since, each input reaching scan as an argument, never as shell', async () => {
    // main has a finding in infra/old.yaml; the branch adds one in infra/new.yaml.
    const dir = workspace({'infra/old.yaml': LEAKY_TEMPLATE, 'README.md': '# app\n'})
    const git = (...args: string[]) => expect(spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], {cwd: dir}).status).toBe(0)
    git('init', '--quiet', '-b', 'main')
    git('add', '.')
    git('commit', '--quiet', '-m', 'main')
    git('checkout', '--quiet', '-b', 'feature')
    writeFileSync(join(dir, 'infra/new.yaml'), LEAKY_TEMPLATE.replace('DB_PASSWORD', 'API_PASSWORD'))
    git('add', '.')
    git('commit', '--quiet', '-m', 'feature')

    const changed = await runAction(dir, {changed: 'true', since: 'main', upload: 'false'})
    expect(changed.code, changed.log).toBe(7)
    const files = (JSON.parse(readFileSync(join(dir, 'secrets-scan.sarif'), 'utf8')) as {runs: {results: {locations: {physicalLocation: {artifactLocation: {uri: string}}}[]}[]}[]}).runs[0].results.map((result) => result.locations[0].physicalLocation.artifactLocation.uri)
    expect(files).toEqual(['infra/new.yaml'])

    // Without the inputs, the whole tree: both findings.
    const whole = await runAction(dir, {'sarif-file': 'whole.sarif'})
    expect(whole.code, whole.log).toBe(7)
    expect(readFileSync(join(dir, 'whole.sarif'), 'utf8')).toContain('infra/old.yaml')

    const injected = await runAction(dir, {changed: 'true', since: 'main"; touch injected; echo "', 'sarif-file': 'injected.sarif'})
    expect(injected.code, injected.log).toBe(2)
    expect(injected.log).toContain('names no commit here')
    expect(existsSync(join(dir, 'injected'))).toBe(false)

    const unknown = await runAction(dir, {changed: 'yes'})
    expect(unknown.code, unknown.log).toBe(2)
    expect(unknown.log).toContain("SCAN_CHANGED must be true or false, not 'yes'")
  })
})
