import {readFileSync} from 'node:fs'

import {parse} from 'dotenv'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {cutAtHashProblem, decodeDotenv, duplicateKeysError, looksEncoded, readDotenv} from '../../src/core/dotenv.js'

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')
const asObject = (text: string) =>
  Object.fromEntries(readDotenv(text).entries.map((entry) => [entry.key, entry.value.text]))

describe('readDotenv on the nasty fixture (CRLF, every syntax)', () => {
  const file = readDotenv(fixture('migrate-nasty.env'))
  const byKey = new Map(file.entries.map((entry) => [entry.key, entry]))

  it.each([
    ['PLAIN', 3, 'plain-value'],
    ['EXPORTED', 4, 'from-export'],
    ['INDENTED', 5, 'spaced around'],
    ['SINGLE', 6, 'single # not a comment'],
    ['DOUBLE', 7, 'double\nwith escaped newline and \\"quote\\"'],
    ['BACKTICK', 8, `back 'tick' "mixed"`],
    ['UNQUOTED_HASH', 9, 'abc'],
    ['EQUALS', 10, 'a=b=c'],
    ['SPACES', 11, '  leading and trailing  '],
    ['UNICODE', 12, 'héllo wörld ✓ 🔑'],
    ['MULTI', 13, '-----BEGIN KEY-----\nNOT_A_KEY=inside the value\n# not a comment either\n-----END KEY-----'],
    ['SINGLE_MULTI', 17, 'line one\nline two'],
    ['EMPTY', 19, ''],
    ['COLON', 20, 'yaml-style'],
    ['dotted.key-name', 21, 'ok'],
    ['ARN_LIKE-abcdef', 25, 'looks like an arn suffix'],
    ['LAST', 26, 'no newline at end'],
  ])('reads %s on line %i exactly as dotenv does', (key, line, value) => {
    expect(byKey.get(key)?.line).toBe(line)
    expect(byKey.get(key)?.value.text).toBe(value)
  })

  it('keeps a KEY= line inside a multi-line quoted value inside the value', () => {
    expect(byKey.has('NOT_A_KEY')).toBe(false)
  })

  it('finds exactly the entries dotenv finds, with the same values', () => {
    expect(asObject(fixture('migrate-nasty.env'))).toEqual(parse(fixture('migrate-nasty.env')))
  })

  it('reports a line dotenv skips by its number only', () => {
    expect(file.ignoredLines).toEqual([24])
    expect(file.duplicates).toEqual([])
  })
})

describe('readDotenv', () => {
  it('names every line of a repeated key', () => {
    const file = readDotenv('A=1\nB=2\n# A=3 is a comment\nexport A=4\nC="x\nA=5 inside\n"\nA=6\n')
    expect(file.duplicates).toEqual([{key: 'A', lines: [1, 4, 8]}])
    expect(file.entries.map((entry) => entry.key)).toEqual(['B', 'C'])
  })

  it('reads the duplicates fixture and builds an error naming lines, never values', () => {
    const file = readDotenv(fixture('migrate-duplicates.env'))
    const error = duplicateKeysError('migrate-duplicates.env', file.duplicates)
    expect(error.message).toContain('DB_PASS (lines 2, 5)')
    expect(error.message).not.toContain('first-secret')
    expect(error.message).not.toContain('second-secret')
    expect(error.exitCode).toBe(2)
  })

  it.each([
    ['LF', 'A=1\nB="x\ny"\n'],
    ['CRLF', 'A=1\r\nB="x\r\ny"\r\n'],
    ['CR', 'A=1\rB="x\ry"\r'],
  ])('counts lines the same way for %s files', (_label, text) => {
    const file = readDotenv(text)
    expect(file.entries.map(({key, line, value}) => [key, line, value.text])).toEqual([
      ['A', 1, '1'],
      ['B', 2, 'x\ny'],
    ])
  })

  it('expands \\n and \\r in double quotes only', () => {
    const text = ['D="a\\nb\\rc"', "S='a\\nb'", 'B=`a\\nb`', 'U=a\\nb'].join('\n')
    expect(asObject(text)).toEqual({D: 'a\nb\rc', S: 'a\\nb', B: 'a\\nb', U: 'a\\nb'})
  })

  it('keeps # and = inside quotes and ends an unquoted value at #', () => {
    expect(asObject('A="p#ss=word"\nB=p#ss\nC=\'#\'\n')).toEqual({A: 'p#ss=word', B: 'p', C: '#'})
  })

  it('handles blank lines, comments, a trailing comment after a quote and an empty file', () => {
    expect(readDotenv('').entries).toEqual([])
    expect(asObject('\n\n# c\n  \nA="v" # comment\n\n')).toEqual({A: 'v'})
  })

  it('lists a value dotenv cut at a # after another character (abc#x), not a trailing comment after a space (abc #x)', () => {
    const file = readDotenv("TOKEN=abc#notcomment\nNOTE=abc #comment\nEMPTY=#x\nBLANK= #x\nQUOTED='abc#x'\nexport SPLIT=a#b # c\nCOLON: a#b\n")
    // dotenv cuts both forms alike: the difference is only whether the # was meant as a comment.
    expect(asObject("TOKEN=abc#notcomment\nNOTE=abc #comment\n")).toEqual({TOKEN: 'abc', NOTE: 'abc'})
    expect(file.cutAtHash).toEqual([
      {key: 'TOKEN', line: 1},
      {key: 'EMPTY', line: 3},
      {key: 'SPLIT', line: 6},
      {key: 'COLON', line: 7},
    ])
    expect(asObject("QUOTED='abc#x'\n")).toEqual({QUOTED: 'abc#x'})
    expect(cutAtHashProblem('.env', 'TOKEN', 1)).toBe(`.env line 1: the value of TOKEN is cut at "#" (dotenv reads an unquoted # as the start of a comment, so only what comes before it is read); if the # is part of the value, quote it: TOKEN='...' (single quotes keep every character as it is)`)
  })

  it('reports a key dotenv cannot read, but not a line inside a quoted value', () => {
    const file = readDotenv('ключ=1\nA="x\nnot a key\n"\nMY KEY=2\n')
    expect(file.ignoredLines).toEqual([1, 5])
  })

  it('reports the lines of an unquoted PEM block by number only, and the key that opens it as truncated', () => {
    const padded = `${'Ab3'.repeat(12)}==`
    const file = readDotenv(`A=1\nKEY=-----BEGIN RSA PRIVATE KEY-----\n${'Qx7'.repeat(10)}\n${padded}\n-----END RSA PRIVATE KEY-----\nB=2\n`)
    expect(file.entries.map((entry) => entry.key)).toEqual(['A', 'B'])
    expect(file.truncated.map(({key, line}) => ({key, line}))).toEqual([{key: 'KEY', line: 2}])
    expect(file.truncated[0].block.text).toBe(`-----BEGIN RSA PRIVATE KEY-----\n${'Qx7'.repeat(10)}\n${padded}\n-----END RSA PRIVATE KEY-----`)
    expect(file.suspectLines.map(({line}) => line)).toEqual([4])
    expect(file.ignoredLines).toEqual([3, 5])
    expect(JSON.stringify(file.suspectLines)).not.toContain('Ab3')
  })

  it('leaves a quoted PEM value alone', () => {
    const file = readDotenv(`KEY="-----BEGIN PRIVATE KEY-----\n${'Ab3'.repeat(12)}==\n-----END PRIVATE KEY-----"\n`)
    expect(file.entries.map((entry) => entry.key)).toEqual(['KEY'])
    expect(file.truncated).toEqual([])
    expect(file.suspectLines).toEqual([])
  })

  it.each([
    ['MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcw==', true],
    ['Qm3Xk8Tz4Vb7Np2Rc9Lw5Hd1=', true],
    ['MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcw', false],
    ['DATABASE_URL=', false],
    ['MyServiceApiKeyV2Production=postgres://db', false],
    ['apiKey==', false],
    ['AWSSECRETACCESSKEY==', false],
  ])('looksEncoded(%s) is %s', (line, expected) => {
    expect(looksEncoded(line)).toBe(expected)
  })

  it('reports a key that looks like encoded data by its line only', () => {
    const file = readDotenv('A=1\nQm3Xk8Tz4Vb7Np2Rc9Lw5Hd1Fs6Jg0=\n')
    expect(file.entries.map((entry) => entry.key)).toEqual(['A'])
    expect(file.suspectLines.map(({line}) => line)).toEqual([2])
  })

  it('does not mistake values that look like markers for markers', () => {
    expect(asObject('A=__L1__\nB="__P2__!"\n')).toEqual({A: '__L1__', B: '__P2__!'})
  })

  it('agrees with dotenv.parse on any mix of entry lines (property)', () => {
    const key = fc.constantFrom('A', 'B', 'C_1', 'd.e', 'F-G')
    const value = fc.oneof(
      fc.string({unit: fc.constantFrom('a', ' ', '=', '#', 'é', '\\', 'n')}),
      fc.string().map((text) => `"${text.replaceAll('"', '')}"`),
      fc.string().map((text) => `'${text.replaceAll("'", '')}'`),
      fc.string().map((text) => `\`${text.replaceAll('`', '')}\``),
    )
    const line = fc.oneof(
      fc.tuple(fc.constantFrom('', 'export ', '  '), key, fc.constantFrom('=', ' = ', ': '), value).map((parts) => parts.join('')),
      fc.constantFrom('', '# comment', '   ', 'junk line'),
    )
    fc.assert(
      fc.property(fc.array(line, {maxLength: 12}), fc.constantFrom('\n', '\r\n'), (lines, eol) => {
        const text = lines.join(eol)
        const file = readDotenv(text)
        const expected = parse(text)
        const duplicated = new Set(file.duplicates.map((duplicate) => duplicate.key))
        for (const entry of file.entries) expect(entry.value.text).toBe(expected[entry.key])
        expect(new Set([...file.entries.map((entry) => entry.key), ...duplicated])).toEqual(new Set(Object.keys(expected)))
      }),
      {numRuns: 300},
    )
  })
})

describe('decodeDotenv', () => {
  it('refuses a file that is not UTF-8, naming the file', () => {
    expect(() => decodeDotenv(new Uint8Array([0x41, 0x3d, 0xff, 0x0a]), 'prod.env')).toThrow(/prod.env is not valid UTF-8/)
  })

  it('decodes UTF-8 and drops a byte order mark', () => {
    expect(decodeDotenv(new Uint8Array([0xef, 0xbb, 0xbf, 0x41, 0x3d, 0x31]), 'x.env')).toBe('A=1')
  })
})
