/**
 * scan and grant --check --template read a template as its deployer would: line breaks YAML 1.1
 * honours, duplicate keys, files git tracks whatever .gitignore says, and only regular files inside
 * the scanned tree; a .tf file too complex to parse is refused, not waited on.
 */
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {OFFLINE_ENV} from '../helpers/scan.js'

const OFFLINE = OFFLINE_ENV
const CANARY = 'hunter2-CANARY-value'
/** grant --check needs a region; the dead endpoint shows any AWS call as a failure. */
const GRANT_ENV = {...OFFLINE, AWS_REGION: 'eu-west-1', AWS_MAX_ATTEMPTS: '1'}

const dirs: string[] = []
function workspace(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'scan-read-'))
  dirs.push(dir)
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), {recursive: true})
    writeFileSync(join(dir, name), text)
  }

  return dir
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, {recursive: true, force: true})
})

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
