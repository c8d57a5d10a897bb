import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {ExitCode, UsageError} from '../../src/core/errors.js'
import {assertStorableValue, MAX_SECRET_BYTES, SecretValue, stripOneTrailingNewline} from '../../src/core/secret-value.js'

const bytes = (text: string) => new TextEncoder().encode(text)
const text = (data: Uint8Array) => Buffer.from(data).toString('utf8')

describe('stripOneTrailingNewline', () => {
  it.each([
    ['pw\n', 'pw'],
    ['pw\r\n', 'pw'],
    ['pw\n\n', 'pw\n'],
    ['pw\r\n\r\n', 'pw\r\n'],
    ['pw', 'pw'],
    ['pw ', 'pw '],
    ['\n', ''],
    ['pw\r', 'pw\r'],
    ['', ''],
  ])('turns %j into %j', (input, expected) => {
    expect(text(stripOneTrailingNewline(bytes(input)))).toBe(expected)
  })
})

describe('assertStorableValue', () => {
  it('refuses an empty value with exit 2', () => {
    expect(() => assertStorableValue(SecretValue.fromString(''), 'stdin')).toThrow(UsageError)
  })

  it('accepts exactly 65,536 bytes and refuses 65,537, naming only sizes', () => {
    assertStorableValue(SecretValue.fromBytes(new Uint8Array(MAX_SECRET_BYTES).fill(0x61)), 'stdin')
    try {
      assertStorableValue(SecretValue.fromBytes(new Uint8Array(MAX_SECRET_BYTES + 1).fill(0x61)), 'stdin')
      expect.unreachable()
    } catch (error) {
      expect((error as UsageError).exitCode).toBe(ExitCode.usage)
      expect((error as UsageError).message).toContain('65537 bytes')
      expect((error as UsageError).message).not.toContain('aaaa')
    }
  })
})

describe('SecretValue', () => {
  it('never shows its content when serialised by accident', () => {
    const value = SecretValue.fromString('canary-7f3a')
    expect(JSON.stringify({value})).not.toContain('canary')
    expect(String(value)).not.toContain('canary')
    expect(`${value}`).not.toContain('canary')
  })

  it('keeps invalid UTF-8 as bytes and shows it as base64 on purpose only', () => {
    const value = SecretValue.fromBytes(Uint8Array.from([0xff, 0xfe, 0x00, 0x41]))
    expect(value.text).toBeUndefined()
    expect(value.toJSONValue()).toBe(`base64:${Buffer.from([0xff, 0xfe, 0x00, 0x41]).toString('base64')}`)
  })

  it('round-trips any string byte for byte', () => {
    fc.assert(
      fc.property(fc.string({unit: 'binary'}), (input) => {
        const value = SecretValue.fromString(input)
        expect(value.text).toBe(input)
        expect(value.equals(SecretValue.fromBytes(bytes(input)))).toBe(true)
      }),
    )
  })
})
