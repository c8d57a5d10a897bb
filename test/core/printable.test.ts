import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {codeString, escapeLine, escapeUnsafe, isOneLine} from '../../src/core/printable.js'

// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uD800-\uDFFF\uFFFE\uFFFF]/u
/** Any UTF-16 code unit, so lone surrogates too. */
const units = fc.string({unit: fc.integer({min: 0, max: 0xFF_FF}).map((code) => String.fromCharCode(code)), maxLength: 30})

describe('escapeLine', () => {
  it.each([
    ['LF, CR, tab', 'a\nb\rc\td', 'a\\u{a}b\\u{d}c\\u{9}d'],
    ['NEL and C1 CSI', 'a\u0085b\u009Bc', 'a\\u{85}b\\u{9b}c'],
    ['LS and PS', 'a\u2028b\u2029c', 'a\\u{2028}b\\u{2029}c'],
    ['ESC, BEL, DEL', '\u001B[2J\u0007\u007F', '\\u{1b}[2J\\u{7}\\u{7f}'],
    ['bidirectional controls', 'a\u202Eb\u2066c', 'a\\u{202e}b\\u{2066}c'],
    ['lone surrogates and U+FFFE/U+FFFF', 'a\uD800b\uDFFFc\uFFFE\uFFFF', 'a\\u{d800}b\\u{dfff}c\\u{fffe}\\u{ffff}'],
    ['printable Unicode, astral included', 'contraseña 😀 中', 'contraseña 😀 中'],
  ])('escapes %s', (_, text, escaped) => {
    expect(escapeLine(text)).toBe(escaped)
    expect(isOneLine(text)).toBe(text === escaped)
  })

  it('leaves nothing a reader or a terminal acts on, and is stable', () => {
    fc.assert(
      fc.property(units, (text) => {
        const escaped = escapeLine(text)
        expect(RAW.test(escaped)).toBe(false)
        expect(escapeLine(escaped)).toBe(escaped)
      }),
    )
  })
})

describe('escapeUnsafe', () => {
  it('keeps newlines and tabs of a multi-line message, and escapes LS and PS', () => {
    expect(escapeUnsafe('a\nb\tc\u2028d\u2029e')).toBe('a\nb\tc\\u{2028}d\\u{2029}e')
  })
})

describe('codeString', () => {
  it('is a literal that reads back exactly, with nothing raw a reader or a terminal acts on', () => {
    fc.assert(
      fc.property(units, (text) => {
        const literal = codeString(text)
        expect(RAW.test(literal)).toBe(false)
        // Its escapes are JSON's own subset (and JavaScript's, Python's and HCL's).
        expect(JSON.parse(literal)).toBe(text)
        expect(literal).not.toMatch(/(?<!\\)(?:\\\\)*\\[bf/]/)
      }),
    )
  })
})
