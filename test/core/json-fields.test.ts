import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {ExitCode} from '../../src/core/errors.js'
import {applyFieldChange, compareFields, type FieldChange, fieldNames, fieldText, notKeyValueReason, parseKeyValue, pickFields} from '../../src/core/json-fields.js'
import {MAX_SECRET_BYTES, SecretValue} from '../../src/core/secret-value.js'

const doc = (text: string) => parseKeyValue(SecretValue.fromString(text), '/prod/api/DB')
const apply = (text: string | undefined, change: FieldChange) => applyFieldChange(text === undefined ? undefined : doc(text), change, '/prod/api/DB').value.text

function thrown(run: () => unknown): {exitCode?: number; message: string; hint?: string} {
  try {
    run()
  } catch (error) {
    return error as {exitCode?: number; message: string; hint?: string}
  }

  throw new Error('did not throw')
}

describe('notKeyValueReason', () => {
  it.each([
    ['{"a":1}', undefined],
    ['{}', undefined],
    [' {"a": {"b": [1]}} ', undefined],
    ['[1,2]', 'it is JSON array, not an object'],
    ['null', 'it is JSON null, not an object'],
    ['"text"', 'it is JSON string, not an object'],
    ['42', 'it is JSON number, not an object'],
    ['hunter2', 'it is not JSON'],
    ['{"a":1', 'it is not JSON'],
  ])('says %j is %j', (text, reason) => {
    expect(notKeyValueReason(SecretValue.fromString(text))).toBe(reason)
  })

  it('calls a binary value binary', () => {
    expect(notKeyValueReason(SecretValue.fromBytes(Uint8Array.from([0xff, 0x00])))).toBe('it is binary, not text')
  })
})

describe('reading fields', () => {
  it('refuses a value that is not an object with exit 2, without the value', () => {
    const error = thrown(() => doc('hunter2-secret'))
    expect(error.exitCode).toBe(ExitCode.usage)
    expect(error.message).toContain('/prod/api/DB is not a key/value secret')
    expect(error.message).not.toContain('hunter2')
  })

  it('lists field names in document order, each once', () => {
    expect(fieldNames(doc('{"username":"u","password":"p","port":5432,"password":"q"}'))).toEqual(['username', 'password', 'port'])
  })

  it('picks fields, and a missing one is exit 3 naming it and the fields, never a value', () => {
    const document = doc('{"username":"admin","password":"s3cr3t-value"}')
    expect(pickFields(document, ['password'], 'X')).toEqual({password: 's3cr3t-value'})
    const error = thrown(() => pickFields(document, ['host'], '/prod/api/DB'))
    expect(error.exitCode).toBe(ExitCode.notFound)
    expect(error.message).toContain('"host"')
    expect(error.hint).toBe('Its fields: username, password.')
    expect(`${error.message}${error.hint}`).not.toContain('s3cr3t')
  })

  it.each([
    ['text', 'text'],
    ['line\n "quoted"', 'line\n "quoted"'],
    [5432, '5432'],
    [true, 'true'],
    [null, 'null'],
    [{a: [1, 2]}, '{"a":[1,2]}'],
  ])('prints %j as %j', (value, text) => {
    expect(fieldText(value)).toBe(text)
  })
})

describe('applyFieldChange', () => {
  it.each<[string | undefined, FieldChange, string]>([
    [undefined, {field: 'password', value: 'p'}, '{"password":"p"}'],
    ['{}', {field: 'a', value: 'x'}, '{"a":"x"}'],
    ['{ }', {field: 'a', value: 'x'}, '{"a":"x"}'],
    ['{"a":"1"}', {field: 'a', value: 'x'}, '{"a":"x"}'],
    ['{"a":"1","b":2}', {field: 'c', value: 'x'}, '{"a":"1","b":2,"c":"x"}'],
    ['{"a": "1", "b": 2}', {field: 'c', value: 'x'}, '{"a": "1", "b": 2, "c": "x"}'],
    ['{"a": 1}', {field: 'c', value: 'x'}, '{"a": 1, "c": "x"}'],
    ['{\n  "a": 1,\n  "b": 2\n}\n', {field: 'c', value: 'x'}, '{\n  "a": 1,\n  "b": 2,\n  "c": "x"\n}\n'],
    ['{\n  "a": 1\n}', {field: 'c', value: 'x'}, '{\n  "a": 1,\n  "c": "x"\n}'],
    ['{"port":5432.0,"pw":"old","x":"\\u00e9"}', {field: 'pw', value: 'new'}, '{"port":5432.0,"pw":"new","x":"\\u00e9"}'],
    ['{"a":{"pw":"inner"},"pw":"outer"}', {field: 'pw', value: 'n'}, '{"a":{"pw":"inner"},"pw":"n"}'],
    ['{"a":"1","b":"2","c":"3"}', {field: 'a', unset: true}, '{"b":"2","c":"3"}'],
    ['{"a":"1","b":"2","c":"3"}', {field: 'b', unset: true}, '{"a":"1","c":"3"}'],
    ['{"a":"1","b":"2","c":"3"}', {field: 'c', unset: true}, '{"a":"1","b":"2"}'],
    ['{\n  "a": 1,\n  "b": 2\n}', {field: 'b', unset: true}, '{\n  "a": 1\n}'],
    [' {"a":"1"} ', {field: 'a', unset: true}, ' {} '],
    ['{"a":"1"}', {field: 'zz', unset: true}, '{"a":"1"}'],
    ['{"a":"1"}', {field: 'q"\\', value: 'v"\n'}, '{"a":"1","q\\"\\\\":"v\\"\\n"}'],
  ])('turns %j with %j into %j', (text, change, expected) => {
    expect(apply(text, change)).toBe(expected)
  })

  it('says nothing changed when an absent field is removed', () => {
    expect(applyFieldChange(doc('{"a":1}'), {field: 'b', unset: true}, 'X').changed).toBe(false)
    expect(applyFieldChange(doc('{"a":1}'), {field: 'a', unset: true}, 'X').changed).toBe(true)
  })

  it('refuses an empty field name and one with a control character (exit 2)', () => {
    expect(thrown(() => apply('{}', {field: '', value: 'v'})).exitCode).toBe(ExitCode.usage)
    const error = thrown(() => apply('{}', {field: 'a\u001b[2Jb', value: 'v'}))
    expect(error.exitCode).toBe(ExitCode.usage)
    expect(error.message).not.toContain('\u001b')
  })

  // What ends a line for JavaScript (LS, PS) or YAML 1.1 (NEL), reorders a line (RLO), or PyYAML refuses (U+FFFE, a lone surrogate):
  // grant --runtime writes field names into handlers and comments, so set --field never creates one.
  it.each(['2028', '2029', '0085', '202E', 'D800', 'FFFE'])('refuses a field name holding U+%s, shown escaped (exit 2)', (code) => {
    const field = `a${String.fromCharCode(Number.parseInt(code, 16))}b`
    const error = thrown(() => apply('{}', {field, value: 'v'}))
    expect(error.exitCode).toBe(ExitCode.usage)
    expect(error.message).toMatch(/"a\\u\{[0-9a-f]+\}b" contains a control character, a line break or a bidirectional control/)
  })

  it('removes a field another tool named with ESC or a line separator: removing writes no name anywhere', () => {
    expect(apply('{"a\\u001b\u2028b":1,"c":2}', {field: 'a\u001B\u2028b', unset: true})).toBe('{"c":2}')
  })

  it('keeps a printable field name of any script, with quotes and comment marks', () => {
    const field = 'contraseña "😀" */ # ${x}'
    expect(JSON.parse(apply('{}', {field, value: 'v'}) as string)).toEqual({[field]: 'v'})
  })

  it('refuses a document where the field appears twice', () => {
    expect(thrown(() => apply('{"a":1,"a":2}', {field: 'a', value: 'v'})).exitCode).toBe(ExitCode.usage)
  })

  it('refuses a result over 65,536 bytes after the merge, naming sizes only', () => {
    const base = `{"a":"${'x'.repeat(MAX_SECRET_BYTES - 20)}"}`
    const error = thrown(() => apply(base, {field: 'b', value: 'secret-tail-value'}))
    expect(error.exitCode).toBe(ExitCode.usage)
    expect(error.message).not.toContain('secret-tail')
    // Exactly at the limit is fine.
    const fits = `{"a":"${'x'.repeat(MAX_SECRET_BYTES - 15)}"}`
    expect(applyFieldChange(doc(fits), {field: 'b', value: ''}, 'X').value.byteLength).toBe(MAX_SECRET_BYTES)
  })

  // eslint-disable-next-line no-control-regex
  const fieldName = fc.string({minLength: 1}).filter((name) => !/[\u0000-\u001F\u007F-\u009F]/.test(name))
  const objects = fc.dictionary(fieldName, fc.jsonValue(), {maxKeys: 6})
  const indent = fc.constantFrom(undefined, 0, 2, '\t')

  it('sets a field: the result parses as the object with that field, and other members keep their bytes', () => {
    fc.assert(
      fc.property(objects, indent, fieldName, fc.string(), (object, space, field, value) => {
        const text = JSON.stringify(object, null, space)
        const result = apply(text, {field, value}) as string
        expect(JSON.parse(result)).toEqual({...JSON.parse(text), [field]: value})
        const before = doc(text)
        const after = doc(result)
        for (const member of before.members.filter((m) => m.name !== field)) {
          const same = after.members.find((m) => m.name === member.name)
          expect(result.slice(same?.start, same?.end)).toBe(text.slice(member.start, member.end))
        }
      }),
    )
  })

  it('removes a field: the result parses as the object without it', () => {
    fc.assert(
      fc.property(objects, indent, (object, space) => {
        const text = JSON.stringify(object, null, space)
        for (const field of Object.keys(object)) {
          const expected: Record<string, unknown> = {...JSON.parse(text)}
          delete expected[field]
          expect(JSON.parse(apply(text, {field, unset: true}) as string)).toEqual(expected)
        }
      }),
    )
  })
})

describe('compareFields', () => {
  const v = (text: string) => SecretValue.fromString(text)
  it('names fields that differ, by parsed value, never values', () => {
    expect(compareFields(v('{"a":1,"b":"x","c":{"d":1},"l":1}'), v('{ "a": 1.0, "b": "y", "c": {"d": 2}, "r": 2 }'))).toEqual({
      onlyLeft: ['l'],
      onlyRight: ['r'],
      different: ['b', 'c'],
    })
  })

  it('is undefined unless both are key/value secrets', () => {
    expect(compareFields(v('{"a":1}'), v('plain'))).toBeUndefined()
    expect(compareFields(v('[1]'), v('{"a":1}'))).toBeUndefined()
  })
})

