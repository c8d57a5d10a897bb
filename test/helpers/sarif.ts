import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'

const require = createRequire(import.meta.url)
/** ajv-draft-04 is CommonJS; its class is the module itself. */
const Ajv = require('ajv-draft-04') as typeof import('ajv-draft-04').default

/**
 * A validator of the SARIF 2.1.0 schema (rtm.5, the final one, draft-04) as @microsoft/jest-sarif
 * ships it. Its language-tag pattern is not valid with the `u` flag, hence unicodeRegExp off.
 */
export function sarifValidator() {
  const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as object
  // The schema's three formats, checked rather than ignored (ajv warned once per use, on every run).
  const formats = {
    uri: (text: string) => URL.canParse(text),
    'uri-reference': (text: string) => URL.canParse(text, 'file:///'),
    'date-time': (text: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(text) && !Number.isNaN(Date.parse(text)),
  }
  return new Ajv({allErrors: true, strict: false, unicodeRegExp: false, formats}).compile(schema)
}
