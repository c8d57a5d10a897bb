/**
 * How a command ends when the world around it does: its reader goes away, stdout cannot be written,
 * a flag names no place AWS could be, or it is sent SIGINT or SIGTERM.
 */
import {spawn} from 'node:child_process'
import {closeSync, openSync} from 'node:fs'

import {beforeAll, describe, expect, it} from 'vitest'

import {BIN, cliEnv, type CliResult, runCli, startCli, uniqueEnv} from '../helpers/cli.js'

const env = uniqueEnv('exits')

/** Runs the CLI with stdout given as `stdout`: a pipe whose reader closes at once, or a file descriptor. */
function runWithStdout(args: string[], stdout: 'closed-pipe' | number, input = ''): Promise<Omit<CliResult, 'stdoutBytes' | 'stdout'>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {env: cliEnv(), stdio: ['pipe', stdout === 'closed-pipe' ? 'pipe' : stdout, 'pipe']})
    if (stdout === 'closed-pipe') child.stdout?.destroy()
    const err: Buffer[] = []
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({code, stderr: Buffer.concat(err).toString('utf8')}))
    child.stdin?.on('error', () => {})
    child.stdin?.end(input)
  })
}

describe('a closed pipe and an unwritable stdout', () => {
  // The secret both tests read, whichever runs first.
  beforeAll(async () => {
    expect((await runCli(['set', `${env}/api`, 'PIPED'], {input: 'piped-value'})).code).toBe(0)
  })

  it('ends quietly with exit 0 when the reader has gone (get | true), for one secret and for --all alike', async () => {
    for (const args of [['get', `${env}/api`, 'PIPED'], ['get', `${env}/api`, '--all']]) {
      const result = await runWithStdout(args, 'closed-pipe')
      // Before: `get NAME | true` was exit 1 "Unexpected error: Error: write EPIPE".
      expect(result, args.join(' ')).toEqual({code: 0, stderr: ''})
    }
  })

  it('answers > /dev/full with exit 74 and one message, no stack trace; set says its write is done', async () => {
    const full = openSync('/dev/full', 'w')
    try {
      const get = await runWithStdout(['get', `${env}/api`, 'PIPED'], full)
      expect(get.code).toBe(74)
      expect(get.stderr).toBe(
        'Error: Could not write the output to stdout (ENOSPC).\nHint: What the command did before printing (a write to AWS included) is done; check with "secrets list" or "secrets history", and give stdout somewhere it can be written.\n',
      )
      for (const json of [false, true]) {
        const set = await runWithStdout(['set', `${env}/api`, `FULL${json ? 'J' : ''}`, ...(json ? ['--json'] : [])], full, 'written-anyway')
        // Before: a crash with a stack trace and the bundle's minified source, after the write.
        expect(set.code).toBe(74)
        expect(set.stderr).toMatch(/^Error: Could not write the output to stdout \(ENOSPC\)\.\n/)
        expect(set.stderr).not.toMatch(/^\s{4}at /m)
        expect((await runCli(['get', `${env}/api`, `FULL${json ? 'J' : ''}`])).stdout).toBe('written-anyway')
      }
    } finally {
      closeSync(full)
    }
  })
})

describe('a place AWS cannot be', () => {
  it.each([
    [['--endpoint-url', 'notaurl'], '--endpoint-url is not a URL'],
    [['--endpoint-url', 'ftp://127.0.0.1:21'], '--endpoint-url has the scheme ftp:'],
    [['--region', 'us east'], '--region is not an AWS region'],
  ])('refuses %j with exit 2 before any call, not as "unexpected"', async (flags, message) => {
    const result = await runCli(['get', `${env}/api`, 'PIPED', ...flags])
    expect(result.code, result.stderr).toBe(2)
    expect(result.stderr).toContain(message)
  })
})

describe('signals', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('%s ends the command with exit %i and one JSON error document under --json, writing nothing', async (signal, exitCode) => {
    for (const json of [false, true]) {
      const name = `SIG_${signal}_${json ? 'J' : 'P'}`
      const run = startCli(['set', `${env}/api`, name, ...(json ? ['--json'] : [])])
      // Waiting on a silent stdin: a point where the command is surely running.
      await run.stderrShows(/Waiting for the value on stdin/)
      run.kill(signal)
      const result = await run.result
      // Before: killed by the signal (exit null), with no JSON document.
      expect(result.code, result.stderr).toBe(exitCode)
      if (json) {
        expect(JSON.parse(result.stdout)).toMatchObject({error: {code: 'INTERRUPTED', exitCode, message: `Stopped by ${signal} before the command finished.`}})
      } else {
        expect(result.stderr).toContain(`Error: Stopped by ${signal} before the command finished.`)
      }

      expect((await runCli(['get', `${env}/api`, name])).code).toBe(3)
    }
  })
})
