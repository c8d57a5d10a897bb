/**
 * Values through the CLI: each is stored exactly or refused clearly (exit 2, sizes never content),
 * never altered silently. And the odd ways a value may (not) arrive: stdin closed, stdin a terminal
 * with --json, a missing, unreadable or directory --from-file.
 */
import {spawn} from 'node:child_process'
import {chmod, mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {BIN, cliEnv, ROOT, runCli, uniqueEnv} from '../helpers/cli.js'
import {runCliAs} from '../helpers/other-user.js'
import {runCliInPty} from '../helpers/pty.js'

const E = uniqueEnv('vals')
const dir = await mkdtemp(join(tmpdir(), 'secrets-values-'))

/** What `get` must print for what was sent, or null for "refused". */
const CASES: [string, Buffer, 'stdin' | 'file', Buffer | null][] = [
  ['empty', Buffer.alloc(0), 'stdin', null],
  ['empty file', Buffer.alloc(0), 'file', null],
  ['only a newline (stripped to empty)', Buffer.from('\n'), 'stdin', null],
  ['one byte', Buffer.from('x'), 'stdin', Buffer.from('x')],
  ['one byte from a file', Buffer.from('y'), 'file', Buffer.from('y')],
  ['exactly 65,536 bytes', Buffer.alloc(65_536, 'a'), 'file', Buffer.alloc(65_536, 'a')],
  ['65,536 bytes plus the newline echo adds', Buffer.concat([Buffer.alloc(65_536, 'b'), Buffer.from('\n')]), 'stdin', Buffer.alloc(65_536, 'b')],
  ['65,537 bytes', Buffer.alloc(65_537, 'c'), 'file', null],
  ['65,537 bytes on stdin', Buffer.alloc(65_537, 'c'), 'stdin', null],
  ['invalid UTF-8 (stored as binary)', Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80, 0x0a]), 'file', Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80, 0x0a])],
  ['a lone UTF-16 surrogate encoded (CESU)', Buffer.from([0xed, 0xa0, 0x80]), 'file', Buffer.from([0xed, 0xa0, 0x80])],
  ['NUL bytes', Buffer.from('a\0b\0\0'), 'stdin', Buffer.from('a\0b\0\0')],
  ['CRLF inside, one CRLF at the end stripped', Buffer.from('l1\r\nl2\r\n'), 'stdin', Buffer.from('l1\r\nl2')],
  ['CRLF from a file, kept', Buffer.from('l1\r\nl2\r\n'), 'file', Buffer.from('l1\r\nl2\r\n')],
  ['only whitespace', Buffer.from(' \t  '), 'stdin', Buffer.from(' \t  ')],
  ['only newlines, one stripped', Buffer.from('\n\n\n'), 'stdin', Buffer.from('\n\n')],
  ['a UTF-8 byte order mark, kept', Buffer.from([0xef, 0xbb, 0xbf, 0x41]), 'file', Buffer.from([0xef, 0xbb, 0xbf, 0x41])],
  ['multi-byte unicode at the size limit', Buffer.from('é'.repeat(32_768)), 'file', Buffer.from('é'.repeat(32_768))],
  ['terminal escapes', Buffer.from('\u001b[2J\u001b]0;title\u0007'), 'stdin', Buffer.from('\u001b[2J\u001b]0;title\u0007')],
]

describe('values are stored exactly or refused clearly', () => {
  it.concurrent.each(CASES.map((c, i) => [i, ...c] as const))('%i %s', async (i, label, bytes, via, expected) => {
    const name = `V${i}`
    const file = join(dir, `value-${i}`)
    if (via === 'file') await writeFile(file, bytes)
    const set = await runCli(['set', `${E}/api`, name, ...(via === 'file' ? ['--from-file', file] : [])], {input: via === 'stdin' ? bytes : undefined})
    expect(set.stderr).not.toMatch(/^\s{4}at /m)
    if (expected === null) {
      expect(set.code, set.stderr).toBe(2)
      expect(set.stderr).toMatch(/empty|Secrets Manager stores at most 65536/)
      expect((await runCli(['get', `${E}/api`, name])).code).toBe(3)
      return
    }

    expect(set.code, set.stderr).toBe(0)
    const get = await runCli(['get', `${E}/api`, name])
    expect(get.code).toBe(0)
    expect(get.stdoutBytes.equals(expected), `${label}: stored ${get.stdoutBytes.length} bytes`).toBe(true)
    // Setting the same bytes again is recognised as identical: nothing was altered on the way.
    const again = await runCli(['set', `${E}/api`, name, ...(via === 'file' ? ['--from-file', file] : [])], {input: via === 'stdin' ? bytes : undefined})
    expect(again.stdout).toMatch(/^unchanged /)
  })
})

describe('how a value arrives', () => {
  it('stdin closed (<&-): refused with exit 2, naming stdin, --from-file and the prompt', async () => {
    const result = await new Promise<{code: number | null; stderr: string}>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'set', `${E}/api`, 'CLOSED'], {cwd: ROOT, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe']})
      let stderr = ''
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString()
      })
      child.on('close', (code) => resolve({code, stderr}))
    })
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/empty/)
    expect(result.stderr).toMatch(/Hint: .*stdin.*--from-file/)
  })

  it('stdin closed by the shell (sh -c "... <&-") is refused the same way', async () => {
    const result = await new Promise<{code: number | null; stderr: string}>((resolve) => {
      const child = spawn('sh', ['-c', `"${process.execPath}" "${BIN}" set ${E}/api CLOSED2 <&-`], {cwd: ROOT, env: cliEnv(), stdio: ['pipe', 'pipe', 'pipe']})
      let stderr = ''
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString()
      })
      child.on('close', (code) => resolve({code, stderr}))
    })
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/empty/)
  })

  it('stdin a terminal with --json: the hidden prompt is on stderr and stdout is one JSON document', async () => {
    const result = await runCliInPty(['set', `${E}/api`, 'TTYJSON', '--json'], [
      {expect: 'Value for'},
      {send: 'typed-json-value\r'},
      {expect: 'Again'},
      {send: 'typed-json-value\r'},
      {expect: '"outcome"'},
    ])
    expect(result.exit).toBe(0)
    expect(result.output).not.toContain('typed-json-value')
    expect((await runCli(['get', `${E}/api`, 'TTYJSON'])).stdout).toBe('typed-json-value')
  })

  it.each([
    ['a missing file', join(dir, 'does-not-exist'), /no such file/],
    ['a directory', dir, /is a directory/],
    // Tests run as root, for whom chmod 000 is still readable: a procfs file that refuses reads even to root.
    ['an unreadable file', '/proc/sys/vm/compact_memory', /permission denied|could not be read/],
    ['a file that fails on read', '/proc/self/mem', /could not be read \(EIO\)/],
  ])('--from-file %s: exit 2 naming the file, nothing written', async (_, path, message) => {
    const result = await runCli(['set', `${E}/api`, 'FROMFILE', '--from-file', path])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(message)
    expect(result.stderr).toContain(path)
    expect(result.stderr).not.toMatch(/^\s{4}at /m)
    expect((await runCli(['get', `${E}/api`, 'FROMFILE'])).code).toBe(3)
  })

  // As root every file is readable whatever its mode, so this case cannot run as root; the same
  // denied read runs as root below, by the unprivileged user nobody.
  it.skipIf(process.getuid?.() === 0)('--from-file a chmod 000 file: exit 2, permission denied', async () => {
    const file = join(dir, 'locked')
    await writeFile(file, 'x', {mode: 0o000})
    const result = await runCli(['set', `${E}/api`, 'LOCKED', '--from-file', file])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/permission denied/)
  })

  it.runIf(process.getuid?.() === 0)('--from-file a chmod 000 file, run as another user: exit 2, permission denied, nothing written', async () => {
    // A folder nobody may enter, holding a file it may not read: the refusal is the file's own mode.
    const open = await mkdtemp(join(tmpdir(), 'secrets-values-nobody-'))
    await chmod(open, 0o755)
    const file = join(open, 'locked')
    await writeFile(file, 'x', {mode: 0o000})
    // setpriv drops to uid/gid 65534 (nobody) for the CLI alone, in a folder it may enter.
    const result = await runCliAs(65_534, ['set', `${E}/api`, 'LOCKED', '--from-file', file], open)
    expect(result.code, result.stderr).toBe(2)
    expect(result.stderr).toMatch(/permission denied/)
    expect(result.stderr).toContain(file)
    expect((await runCli(['get', `${E}/api`, 'LOCKED'])).code).toBe(3)
  })
})

