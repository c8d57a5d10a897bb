import {spawn} from 'node:child_process'

import {beforeAll, describe, expect, it} from 'vitest'

import {parameterNames, secretStore, secretValues, seed} from '../fixtures/migrate-helpers.js'
import {BIN, cliEnv, ROOT, runCli, uniqueEnv} from '../helpers/cli.js'

const E = uniqueEnv('mres')
// Enough that a streamed run stopped at its 100th write has not listed them all (it plans at most ~110 ahead).
const COUNT = 400

const parameters = (service: string) =>
  Array.from({length: COUNT}, (_, i) => ({
    name: `/${E}/${service}/P${String(i).padStart(3, '0')}`,
    value: `value ${i} of ${service}`,
    type: 'SecureString' as const,
  }))

/**
 * Starts a migration and sends `signal` once its stderr shows `written 100 of ...` (plain progress
 * lines, no TTY). Resolves with the exit code and output.
 */
function runAndInterrupt(args: string[], signal: NodeJS.Signals): Promise<{code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {cwd: ROOT, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    let sent = false
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      if (!sent && /written 100 of/.test(stderr)) {
        sent = true
        child.kill(signal)
      }
    })
    child.on('error', reject)
    child.on('close', (code, killedBy) => resolve({code, signal: killedBy, stdout, stderr}))
  })
}

async function expectComplete(service: string): Promise<void> {
  const expected = parameters(service)
  const values = await secretValues(expected.map((parameter) => parameter.name))
  for (const parameter of expected) expect(values.get(parameter.name)).toBe(parameter.value)
  // No duplicate versions: every secret has exactly the one version it was created with.
  const store = await secretStore()
  const histories = await Promise.all(expected.slice(0, 120).map((parameter) => store.history(parameter.name)))
  for (const history of histories) expect(history).toHaveLength(1)
  expect(await parameterNames(`/${E}/${service}`)).toHaveLength(COUNT)
}

describe('an interrupted migration', () => {
  beforeAll(async () => {
    await seed([...parameters('killed'), ...parameters('ctrlc')])
  })

  it('killed with SIGKILL part-way, finishes on a re-run with nothing lost and no duplicate versions', async () => {
    const args = ['migrate', '--from-ssm', `/${E}/killed`, '--concurrency', '1']
    const killed = await runAndInterrupt(args, 'SIGKILL')
    expect(killed.signal).toBe('SIGKILL')
    const rerun = await runCli([...args.slice(0, 3), '--json'])
    expect(rerun.code).toBe(0)
    const report = JSON.parse(rerun.stdout) as {totals: Record<string, number>}
    expect(report.totals.unchanged).toBeGreaterThanOrEqual(100)
    expect(report.totals.created).toBeGreaterThan(0)
    expect(report.totals.unchanged + report.totals.created).toBe(COUNT)
    await expectComplete('killed')
  })

  it('stopped with Ctrl-C (SIGINT) exits 130 with a resume hint, and a re-run finishes the job', async () => {
    const args = ['migrate', '--from-ssm', `/${E}/ctrlc`, '--concurrency', '1']
    const stopped = await runAndInterrupt(args, 'SIGINT')
    expect(stopped.code).toBe(130)
    expect(stopped.stderr).toContain('Run the same command again to finish')
    // A pipeline's plan streams here (fresh targets, names that are their own secrets): the stop came
    // before the listing's last page, and the summary says so rather than counting every parameter.
    expect(stopped.stdout).toContain(`Writing /${E}/ctrlc page by page as it is listed`)
    const summary = /Interrupted before the listing ended: (\d+) items: (\d+) created(?:, (\d+) not run)?\./.exec(stopped.stdout)
    expect(summary).not.toBeNull()
    expect(Number(summary?.[1])).toBeLessThan(COUNT)
    expect(Number(summary?.[2])).toBeGreaterThanOrEqual(100)
    const rerun = await runCli(args)
    expect(rerun.code).toBe(0)
    expect(rerun.stdout).toMatch(new RegExp(`Migration: ${COUNT} items: \\d+ created, \\d+ unchanged\\.`))
    await expectComplete('ctrlc')
  })
})
