/**
 * Input is read with a limit: a value is at most 65,536 bytes, so `set` stops reading one byte past
 * what it could store (stdin may add one trailing "\r\n") and exits 2, instead of buffering `yes` or
 * /dev/zero until memory runs out. The producers here keep their pipe open: a reader that waited for
 * the end of input would never answer.
 */
import {execFileSync} from 'node:child_process'
import {mkdtemp, open, truncate, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {runCli, startCli, uniqueEnv} from '../helpers/cli.js'

const env = uniqueEnv('limits')
const DEAD = {AWS_ENDPOINT_URL: 'http://127.0.0.1:9'}

describe('set reads at most what it can store', () => {
  it('stops reading stdin past 65,538 bytes and exits 2 while the producer is still writing', async () => {
    const run = startCli(['set', `${env}/api`, 'YES'], {env: DEAD})
    // 100 KB and the pipe left open, as `yes |` leaves it: only a bounded reader answers.
    run.stdin.write(Buffer.alloc(100_000, 'y'))
    const result = await run.result
    expect(result.code, result.stderr).toBe(2)
    expect(result.stderr).toMatch(/The value from stdin is over 65536 bytes \(reading stopped at \d+\); Secrets Manager stores at most 65536/)
    // As README says: the read that passed 65,538 bytes was the last, so at most one pipe read (64 KiB) more.
    const stoppedAt = Number(/reading stopped at (\d+)/.exec(result.stderr)![1])
    expect(stoppedAt).toBeGreaterThan(65_538)
    expect(stoppedAt).toBeLessThanOrEqual(65_538 + 65_536)
    run.stdin.end()
  })

  it('stops reading a FIFO given to --from-file past 65,536 bytes, and refuses /dev/zero', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'secrets-limits-'))
    const fifo = join(dir, 'value.fifo')
    execFileSync('mkfifo', [fifo])
    const run = startCli(['set', `${env}/api`, 'FIFO', '--from-file', fifo], {env: DEAD})
    const writer = await open(fifo, 'w')
    await writer.write(Buffer.alloc(100_000, 'f')).catch(() => {})
    const result = await run.result
    await writer.close().catch(() => {})
    expect(result.code, result.stderr).toBe(2)
    expect(result.stderr).toMatch(/is over 65536 bytes \(reading stopped at 65537\)/)

    const zero = await runCli(['set', `${env}/api`, 'ZERO', '--from-file', '/dev/zero'], {env: DEAD})
    expect(zero.code).toBe(2)
    expect(zero.stderr).toContain('reading stopped at 65537')
  })

  it('refuses a 1 GB sparse file from its size, naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'secrets-limits-'))
    const sparse = join(dir, 'sparse.bin')
    await writeFile(sparse, '')
    await truncate(sparse, 1024 ** 3)
    const result = await runCli(['set', `${env}/api`, 'SPARSE', '--from-file', sparse], {env: DEAD})
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`The value from file ${sparse} is 1073741824 bytes`)
  })

  it('says on stderr what it waits for when stdin stays open and silent, then takes the value', async () => {
    const run = startCli(['set', `${env}/api`, 'LATE'])
    await run.stderrShows(/Waiting for the value on stdin/)
    run.stdin.end('late-value\n')
    const result = await run.result
    expect(result.code, result.stderr).toBe(0)
    expect((await runCli(['get', `${env}/api`, 'LATE'])).stdout).toBe('late-value')
  })
})
