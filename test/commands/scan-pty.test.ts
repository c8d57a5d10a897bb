import {describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {runCliInPty, screenLines} from '../helpers/pty.js'
import {OFFLINE_ENV, workspaces} from '../helpers/scan.js'

const workspace = workspaces('scan-pty-')

/**
 * A tree whose scan takes seconds: a few small files, then a template of CloudFormation's 1 MB that
 * `yaml` takes about 2 s to build (every value a reference, so no finding fills the terminal).
 */
function slowTree(): string {
  const functions = Array.from({length: 4000}, (_, i) => `  Fn${i}:\n    Type: AWS::Lambda::Function\n    Properties:\n      Environment:\n        Variables:\n          TABLE: !Ref Table${i}\n`)
  return workspace({
    'a/README.md': '# a\n',
    'a/handler.js': 'exports.handler = async () => ({})\n',
    'a/template.yaml': "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Queue:\n    Type: AWS::SQS::Queue\n",
    'b/big.yaml': `AWSTemplateFormatVersion: '2010-09-09'\nResources:\n${functions.join('')}`,
  })
}

describe('secrets scan on a terminal', () => {
  it('shows the files seen and templates read while a scan takes more than a second, and nothing of it in a pipeline', async () => {
    const dir = slowTree()
    const shown = await runCliInPty(['scan', dir], [{expect: 'Scanning: 3 files seen, 1 template read'}, {expect: 'No findings in 2 templates of 4 files scanned'}], OFFLINE_ENV)
    expect(shown.failure).toBeNull()
    expect(shown.exit).toBe(0)
    // The spinner is taken off before the report: no report line begins beside a frame.
    const report = screenLines(shown.output.slice(shown.output.indexOf('No findings')))
    expect(report.join('\n')).not.toContain('Scanning')

    const piped = await runCli(['scan', dir], {env: OFFLINE_ENV, timeoutMs: 50_000})
    expect(piped.code, piped.stderr).toBe(0)
    expect(piped.stdout).toContain('No findings in 2 templates of 4 files scanned')
    expect(piped.stdout + piped.stderr).not.toContain('Scanning')
  }, 60_000)

  it('shows no progress for --json, even on a terminal', async () => {
    const shown = await runCliInPty(['scan', slowTree(), '--json'], [{expect: '"seen": 4'}], OFFLINE_ENV)
    expect(shown.failure).toBeNull()
    expect(shown.output).not.toContain('Scanning')
  }, 60_000)
})
