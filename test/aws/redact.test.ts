import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {redactValue, translateAwsError, VALUE_MARKER} from '../../src/aws/errors.js'
import {SecretValue} from '../../src/core/secret-value.js'

/** Every form redactValue promises to cut: the text, JSON-escaped, and the bytes in base64. */
function formsOf(value: SecretValue): string[] {
  const text = value.text as string
  return [text, JSON.stringify(text).slice(1, -1), Buffer.from(value.bytes).toString('base64')].filter((form) => form.length > 0)
}

/** A message an endpoint might answer: text with the value (in any of its forms) quoted anywhere, any number of times. */
const messages = (value: SecretValue) =>
  fc.array(fc.oneof(fc.string({maxLength: 12}), fc.constantFrom(...formsOf(value)), fc.constantFrom('validation error', 'Value', ' at ', "'", '"')), {maxLength: 12}).map((parts) => parts.join(''))

describe('redactValue', () => {
  it('leaves its own marker whole for a one-character value', () => {
    const value = SecretValue.fromString('v')
    // Before: "1 [secret [secret value]alue]alidation error: ..." (the marker cut by the next form).
    expect(redactValue("1 validation error: Value 'v' at 'secretString'", value)).toBe(`1 ${VALUE_MARKER}alidation error: Value '${VALUE_MARKER}' at 'secretString'`)
    const refused = translateAwsError({name: 'ValidationException', message: '1 validation error', $metadata: {httpStatusCode: 400}}, {action: 'secretsmanager:PutSecretValue', resource: '/prod/api/X', value: SecretValue.fromString('e')})
    expect(refused.message).toBe(`AWS refused secretsmanager:PutSecretValue on /prod/api/X: ValidationException: 1 validation ${VALUE_MARKER}rror`)
  })

  it('leaves no form of the value outside a marker, and every marker and every other character intact', () => {
    const cases = fc.string({minLength: 1, maxLength: 6}).chain((text) => {
      const value = SecretValue.fromString(text)
      return fc.tuple(fc.constant(value), messages(value).filter((message) => !message.includes(VALUE_MARKER)))
    })
    fc.assert(
      fc.property(cases, ([value, message]) => {
        const redacted = redactValue(message, value)
        const pieces = redacted.split(VALUE_MARKER)
        // What is left between markers is the message itself, in order, less the cut spans.
        let from = 0
        for (const piece of pieces) {
          const at = message.indexOf(piece, from)
          expect(at).toBeGreaterThanOrEqual(from)
          from = at + piece.length
          for (const form of formsOf(value)) expect(piece).not.toContain(form)
        }

        if (formsOf(value).every((form) => !message.includes(form))) expect(redacted).toBe(message)
      }),
      {numRuns: 500},
    )
  })
})
