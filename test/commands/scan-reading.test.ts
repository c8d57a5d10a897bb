/**
 * scan and grant --check --template read a template as its deployer would: line breaks YAML 1.1
 * honours, duplicate keys, files git tracks whatever .gitignore says, and only regular files inside
 * the scanned tree; a .tf file too complex to parse is refused, not waited on.
 */
import {execFileSync} from 'node:child_process'
import {mkdirSync, symlinkSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {runCli, startCli} from '../helpers/cli.js'
import {LEAKY_TEMPLATE, OFFLINE_ENV, workspaces} from '../helpers/scan.js'

const OFFLINE = OFFLINE_ENV
const CANARY = 'hunter2-CANARY-value'
/** grant --check needs a region; the dead endpoint shows any AWS call as a failure. */
const GRANT_ENV = {...OFFLINE, AWS_REGION: 'eu-west-1', AWS_MAX_ATTEMPTS: '1'}

const workspace = workspaces('scan-read-')


interface Report {
  findings: Array<{file: string; variable?: string; line: number; rule: string}>
  templates: Array<{file: string}>
  unparsable: Array<{file: string; line?: number; reason: string}>
  skipped: Array<{file: string; reason: string}>
}

const HEAD = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: prod-api
`

/** A comment whose line ends in `br`, then an environment with a literal password. */
const hiddenAfter = (br: string) => `${HEAD}      # build settings${br}      Environment:${br}        Variables:${br}          DB_PASSWORD: ${CANARY}\n`

const BREAKS = {cr: '\r', nel: '\u0085', ls: '\u2028', ps: '\u2029'}

describe('line breaks a YAML 1.1 reader honours', () => {
  it('reads the lines after a comment ending in a lone CR, NEL, LS or PS, as CloudFormation and PyYAML do', async () => {
    const dir = workspace(Object.fromEntries(Object.entries(BREAKS).map(([name, br]) => [`${name}.yaml`, hiddenAfter(br)])))
    const result = await runCli(['scan', '--json'], {env: OFFLINE, cwd: dir})
    // Before: "No findings in 4 templates", exit 0.
    expect(result.code).toBe(7)
    const report = JSON.parse(result.stdout) as Report
    expect(report.findings.map((item) => [item.file, item.variable, item.line])).toEqual(
      ['cr', 'ls', 'nel', 'ps'].map((name) => [`${name}.yaml`, 'DB_PASSWORD', 10]),
    )
    expect(result.stdout).not.toContain('CANARY')
  })

  it('fails grant --check --template on such a template (exit 7)', async () => {
    const dir = workspace({'secrets.yml': 'service: api\nfunctions:\n  prod-api: [DB_PASSWORD]\n', 'template.yaml': hiddenAfter('\r')})
    const result = await runCli(['grant', '--env', 'prod', '--check', '--template', 'template.yaml'], {env: GRANT_ENV, cwd: dir})
    // Before: the template passed and the check went on to AWS.
    expect(result.code, result.stderr).toBe(7)
    expect(result.stderr).toContain('Fn DB_PASSWORD (line 10)')
    expect(result.stderr).not.toContain('CANARY')
  })
})

describe('duplicate keys', () => {
  const yaml = `${HEAD}      Environment:\n        Variables:\n          DB_PASSWORD: !Ref DbPassword\n      Environment:\n        Variables:\n          DB_PASSWORD: ${CANARY}\n`
  const json = JSON.stringify({AWSTemplateFormatVersion: '2010-09-09', Resources: {Fn: {Type: 'AWS::Lambda::Function', Properties: {FunctionName: 'prod-api', Environment: {Variables: {DB_PASSWORD: {Ref: 'DbPassword'}}}, EnvironmentX: {}}}}}, null, 2).replace(
    '"EnvironmentX": {}',
    `"Environment": {"Variables": {"DB_PASSWORD": "${CANARY}"}}`,
  )

  it('refuses a template with a key twice in one map (exit 2, with the line), in YAML and in JSON', async () => {
    const dir = workspace({'dup.yaml': yaml, 'dup.json': json})
    const result = await runCli(['scan', '--json'], {env: OFFLINE, cwd: dir})
    // Before: the first Environment was judged (a !Ref, clean), exit 0; PyYAML and json keep the last.
    expect(result.code).toBe(2)
    const report = JSON.parse(result.stdout) as Report
    expect(report.unparsable).toEqual([
      {file: 'dup.json', line: 15, reason: 'duplicate key at line 15, column 9'},
      {file: 'dup.yaml', line: 10, reason: 'duplicate key at line 10, column 7'},
    ])
    expect(result.stdout).not.toContain('CANARY')
  })

  it('refuses it in grant --check --template too (exit 2)', async () => {
    const dir = workspace({'secrets.yml': 'service: api\nfunctions:\n  prod-api: [DB_PASSWORD]\n', 'template.yaml': yaml})
    const result = await runCli(['grant', '--env', 'prod', '--check', '--template', 'template.yaml'], {env: GRANT_ENV, cwd: dir})
    expect(result.code, result.stderr).toBe(2)
    expect(result.stderr).toContain('--template template.yaml could not be parsed (line 10): duplicate key at line 10, column 7.')
    expect(result.stderr).not.toContain('CANARY')
  })
})

/** git, run by the test only (the CLI starts no child process), with an identity of its own. */
function git(dir: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', ...args], {cwd: dir, stdio: 'ignore'})
}

describe('.gitignore and what git tracks', () => {
  it('scans a tracked file that .gitignore names, and still skips the untracked ones it names', async () => {
    const dir = workspace({'.gitignore': '*.yaml\nbuild/\n', 'template.yaml': LEAKY_TEMPLATE, 'local.yaml': LEAKY_TEMPLATE, 'build/stack.yaml': LEAKY_TEMPLATE, 'build/scratch.yaml': LEAKY_TEMPLATE})
    git(dir, 'init', '-q')
    git(dir, 'add', '-f', '.gitignore', 'template.yaml', 'build/stack.yaml')
    git(dir, 'commit', '-q', '-m', 'templates')
    for (const version of ['2', '4']) {
      git(dir, 'update-index', '--index-version', version)
      const result = await runCli(['scan', '--json'], {env: OFFLINE, cwd: dir})
      // Before: "0 templates", exit 0.
      expect(result.code, `index version ${version}`).toBe(7)
      expect((JSON.parse(result.stdout) as Report).templates.map((item) => item.file)).toEqual(['build/stack.yaml', 'template.yaml'])
    }
  })

  it('applies no .gitignore when git\'s index cannot be read (a split index), and says so', async () => {
    const dir = workspace({'.gitignore': '*.yaml\n', 'template.yaml': LEAKY_TEMPLATE, 'local.yaml': LEAKY_TEMPLATE})
    git(dir, 'init', '-q')
    git(dir, 'add', '-f', '.gitignore', 'template.yaml')
    git(dir, 'update-index', '--split-index')
    const result = await runCli(['scan', '--json'], {env: OFFLINE, cwd: dir})
    expect(result.code).toBe(7)
    const report = JSON.parse(result.stdout) as Report
    expect(report.templates.map((item) => item.file)).toEqual(['local.yaml', 'template.yaml'])
    expect(report.skipped).toEqual([{file: '.git', reason: "git's index could not be read (a split git index is not read): .gitignore is not applied"}])
  })

  it('reads the index of a linked worktree (.git is a file naming the git directory), from a folder below its top', async () => {
    const main = workspace({'infra/.gitignore': '*.yaml\n', 'infra/template.yaml': LEAKY_TEMPLATE})
    git(main, 'init', '-q')
    git(main, 'add', '-f', 'infra/.gitignore', 'infra/template.yaml')
    git(main, 'commit', '-q', '-m', 'templates')
    const linked = join(workspace(), 'linked')
    git(main, 'worktree', 'add', '-q', linked)
    const result = await runCli(['scan', 'infra', '--json'], {env: OFFLINE, cwd: linked})
    // Before: infra/.gitignore hid the template, exit 0.
    expect(result.code).toBe(7)
    expect((JSON.parse(result.stdout) as Report).templates.map((item) => item.file)).toEqual(['infra/template.yaml'])
  })
})

const SECRET_DOTENV = `DB_PASSWORD=${CANARY}\n`
const CLEAN_TEMPLATE = `${HEAD}      Environment:\n        Variables:\n          DB_PASSWORD_SECRET_ID: /prod/api/DB_PASSWORD\n`

/** A 4.8 MB flat list: hcl2json took minutes and gigabytes over one. */
/** A file built to be expensive to parse, beside a block scan reads (so it is worth parsing). */
const hugeList = (items: number) => `data "aws_iam_policy_document" "p" {}\n\nlocals {\n  x = [${Array.from({length: items}, () => '1').join(',')}]\n}\n`

describe('only regular files inside the tree, and a budget for the HCL parser', () => {
  it('names a link out of the tree, a link to a FIFO, a FIFO .gitignore and a .tf too complex to read, reading none (exit 2)', async () => {
    const elsewhere = workspace({'.env.production': SECRET_DOTENV})
    const dir = workspace({'main.tf': hugeList(2_400_000), 'real/clean.yaml': CLEAN_TEMPLATE})
    symlinkSync(join(elsewhere, '.env.production'), join(dir, '.env.production'))
    // A link that stays inside the tree is read as its file.
    symlinkSync(join('real', 'clean.yaml'), join(dir, 'linked.yaml'))
    execFileSync('mkfifo', [join(dir, 'pipe')])
    symlinkSync('pipe', join(dir, 'fifo.yaml'))
    mkdirSync(join(dir, 'sub'))
    execFileSync('mkfifo', [join(dir, 'sub', '.gitignore')])
    mkdirSync(join(dir, 'dev'))
    symlinkSync('/dev/zero', join(dir, 'dev', '.gitignore'))
    // A generous guard: before, the FIFO held the run (and SIGTERM) for ever, and the .tf for minutes.
    const result = await runCli(['scan', '--json'], {env: OFFLINE, cwd: dir, timeoutMs: 50_000})
    expect(result.code, result.stderr).toBe(2)
    const report = JSON.parse(result.stdout) as Report
    expect(report.skipped).toEqual([
      {file: '.env.production', reason: 'a symbolic link out of the tree scanned (not followed)'},
      {file: 'dev/.gitignore', reason: 'a symbolic link out of the tree scanned (not followed); its rules are not applied'},
      {file: 'fifo.yaml', reason: 'skipped: not a regular file (a FIFO)'},
      {file: 'sub/.gitignore', reason: 'skipped: not a regular file (a FIFO); its rules are not applied'},
    ])
    expect(report.unparsable).toEqual([{file: 'main.tf', reason: expect.stringMatching(/^too complex to read \(/)}])
    expect(report.findings).toEqual([])
    expect(report.templates.map((item) => item.file)).toEqual(['linked.yaml', 'real/clean.yaml'])
    expect(result.stdout).not.toContain(elsewhere)
  })

  it('refuses a YAML template of millions of tokens at once, without building it (exit 2)', async () => {
    const dir = workspace({'list.yaml': `${HEAD}Mappings:\n  M:\n    K: [${Array.from({length: 2_400_000}, () => '1').join(',')}]\n`})
    // Before: 76 s and 2.3 GB of nodes, on the thread that answers signals.
    const result = await runCli(['scan', '--json'], {env: OFFLINE, cwd: dir, timeoutMs: 50_000})
    expect(result.code, result.stderr).toBe(2)
    expect((JSON.parse(result.stdout) as Report).unparsable).toEqual([{file: 'list.yaml', reason: 'too complex to read (more than 400,000 YAML tokens)'}])
  })

  it('refuses a FIFO as grant --check --template, without waiting on it (exit 2)', async () => {
    const dir = workspace({'secrets.yml': 'service: api\nfunctions:\n  prod-api: [DB_PASSWORD]\n'})
    execFileSync('mkfifo', [join(dir, 'template.yaml')])
    const result = await runCli(['grant', '--env', 'prod', '--check', '--template', 'template.yaml'], {env: GRANT_ENV, cwd: dir, timeoutMs: 50_000})
    expect(result.code, result.stderr).toBe(2)
    expect(result.stderr).toContain('--template template.yaml: not a regular file (a FIFO).')
  })

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('scans a large YAML template off the thread that answers signals, and ends with exit %s -> %i meanwhile', async (signal, exitCode) => {
    // About CloudFormation's 1 MB limit: `yaml` took about 2 s to build it on one busy thread.
    const functions = Array.from({length: 4000}, (_, i) => `  Fn${i}:\n    Type: AWS::Lambda::Function\n    Properties:\n      Environment:\n        Variables:\n          TABLE: !Ref Table${i}\n          DB_PASSWORD: literal-${i}-value\n`)
    const dir = workspace({'big.yaml': `AWSTemplateFormatVersion: '2010-09-09'\nResources:\n${functions.join('')}`})
    const whole = await runCli(['scan', '--json'], {env: {...OFFLINE, DEBUG: 'secrets:scan'}, cwd: dir, timeoutMs: 50_000})
    expect(whole.code, whole.stderr).toBe(7)
    expect(whole.stderr).toContain('scanning "big.yaml" in a worker')
    expect((JSON.parse(whole.stdout) as Report).findings).toHaveLength(4000)
    const run = startCli(['scan'], {env: {...OFFLINE, DEBUG: 'secrets:scan'}, cwd: dir, timeoutMs: 50_000})
    await run.stderrShows(/scanning "big\.yaml" in a worker/)
    run.kill(signal)
    const result = await run.result
    expect(result.code, result.stderr).toBe(exitCode)
    expect(result.stderr).toContain(`Stopped by ${signal} before the command finished.`)
    expect(result.stderr).toContain('Nothing was written; run the command again.')
    expect(result.stdout).toBe('')
  })

  it('scans every large template of a run in one worker, started once', async () => {
    const template = (tag: string) =>
      `AWSTemplateFormatVersion: '2010-09-09'\nResources:\n${Array.from({length: 1300}, (_, i) => `  Fn${tag}${i}:\n    Type: AWS::Lambda::Function\n    Properties:\n      Environment:\n        Variables:\n          TABLE: !Ref Table${i}\n          DB_PASSWORD: literal-${tag}-${i}-value\n`).join('')}`
    const dir = workspace({'a.yaml': template('A'), 'b.yaml': template('B'), 'c.yaml': template('C')})
    const result = await runCli(['scan', '--json'], {env: {...OFFLINE, DEBUG: 'secrets:scan'}, cwd: dir, timeoutMs: 50_000})
    expect(result.code, result.stderr).toBe(7)
    for (const file of ['a.yaml', 'b.yaml', 'c.yaml']) expect(result.stderr).toContain(`scanning "${file}" in a worker`)
    // Before: a worker started and stopped for each large file.
    expect(result.stderr.match(/starting the scan worker/g)).toHaveLength(1)
    expect((JSON.parse(result.stdout) as Report).findings).toHaveLength(3900)
  })

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('ends with exit %s -> %i while the HCL parser works on a huge file', async (signal, exitCode) => {
    const dir = workspace({'main.tf': hugeList(2_400_000)})
    const run = startCli(['scan'], {env: {...OFFLINE, DEBUG: 'secrets:scan'}, cwd: dir, timeoutMs: 50_000})
    await run.stderrShows(/reading "main\.tf"/)
    run.kill(signal)
    const result = await run.result
    // Before: the parser held the only thread; the signal was answered after minutes, if at all.
    expect(result.code, result.stderr).toBe(exitCode)
    expect(result.stderr).toContain(`Stopped by ${signal} before the command finished.`)
  })
})
