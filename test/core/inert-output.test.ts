/**
 * Whatever a field name or a rotation schedule from AWS holds, grant's output keeps the structure it
 * has with a plain one: each renderer is fed arbitrary Unicode (line terminators of every reader
 * included) and its output read back with its consumer's own reader. The names go straight to the
 * renderers, past the input checks that refuse them, so this proves the renderers alone.
 */
import {parse as parseHcl} from '@cdktf/hcl2json'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {Scope} from '../../src/core/address.js'
import {buildPolicy, type Placement, PSEUDO_PLACEMENT} from '../../src/core/iam-policy.js'
import {POLICY_FORMATS, type PolicyFormat, renderPolicies, usesPseudoParameters} from '../../src/core/policy-renderers.js'
import {escapeLine} from '../../src/core/printable.js'
import {RUNTIMES, type Runtime, type Via, VIAS} from '../../src/core/runtime-snippets.js'
import {functionWiring, type RotationState} from '../../src/core/runtime-wiring.js'
import {renderWired} from '../../src/core/wiring-renderers.js'
import {parseWithNode, readTypeScript, readWithPython, terraformFmtAll} from '../fixtures/inert-readers.js'

const HERE: Placement = {partition: 'aws', region: 'eu-west-1', account: '123456789012', urlSuffix: 'amazonaws.com'}
const scope = Scope.parse('prod/api')
const DB = scope.secret('DB')
const DB_PASS = scope.secret('DB_PASS')
const PLAIN = {field: 'password', schedule: 'rate(30 days)'}
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uD800-\uDFFF\uFFFE\uFFFF]/u

/** Every line terminator and control a reader of the output could act on, and text that would run if a comment ended. */
const HOSTILE = [
  '\n', '\r', '\r\n', '\u000B', '\u000C', '\u0085', '\u2028', '\u2029', '\u0000', '\u0007', '\u001B[2J', '\u009B', '\u007F',
  '\u202E', '\u2066', '\uFEFF', '\uFFFE', '\uFFFF', '\uD800', '\uDFFF', '\t', '"', "'", '\\', '`', '${', '%{', '*/', '/*', '#', '//',
  '---', '...', ': ', '- ', '!Ref ', '&a', '*a', "process.stdout.write('X')//", 'AdminBackdoor:\n  Type: AWS::IAM::Policy', 'é', '😀',
]
const text = fc
  .array(fc.oneof({weight: 3, arbitrary: fc.constantFrom(...HOSTILE)}, {weight: 2, arbitrary: fc.string({unit: 'binary', maxLength: 6})}), {maxLength: 6})
  .map((parts) => parts.join(''))

interface Combo {
  format: PolicyFormat
  runtime: Runtime
  via: Via
  keyed: boolean
}

const COMBOS: Combo[] = POLICY_FORMATS.flatMap((format) => RUNTIMES.flatMap((runtime) => VIAS.flatMap((via) => [false, true].map((keyed) => ({format, runtime, via, keyed})))))

function wiring(runtime: Runtime, via: Via, field: string, schedule: string) {
  const rotation = new Map<string, RotationState>([
    [DB.fullName, {kind: 'enabled', schedule}],
    [DB_PASS.fullName, {kind: 'unchecked', reason: schedule}],
  ])
  // Over 300 s the cache plan warns, quoting the schedule; the extension caps the age at 300 s.
  return functionWiring('checkout', runtime, [{address: DB, fields: ['username', field]}, {address: DB_PASS, fields: []}], {maxAge: via === 'library' ? 600 : 300, rotation}, via)
}

function render({format, runtime, via, keyed}: Combo, field: string, schedule: string): string {
  const placement = usesPseudoParameters(format) ? PSEUDO_PLACEMENT : HERE
  const document = buildPolicy({functionName: 'checkout', scope, secrets: [DB, DB_PASS], describe: false, kmsKeyArns: []}, placement)
  return renderWired(format, [{functionName: 'checkout', env: 'prod', service: 'api', document}], [wiring(runtime, via, field, schedule)], {keyed})
}

/** The fields a handler reads, as its reader decodes them: the plain name's place taken by `field`. */
function withField(subscripts: string[], field: string): string[] {
  return subscripts.map((item) => (item === PLAIN.field ? field : item))
}

// ------------------------------------------------------------------------------------------ tests

describe('grant --runtime output stays inert, whatever a field name or a rotation schedule holds', () => {
  it('every format reads back, with its consumer\'s reader, to the structure it has with plain names', async () => {
    const cases = fc.sample(fc.record({field: text, schedule: text}), {numRuns: 15})
    // The two reproductions of the issue, always tried.
    cases.push(
      {field: "password\u2028process.stdout.write('X')//", schedule: PLAIN.schedule},
      {field: 'pw\u0085AdminBackdoor:\u0085  Type: AWS::IAM::Policy', schedule: 'rate(1 day)\nprocess.stdout.write("X")//\u001B[2J\u0007\r'},
    )
    const plain = COMBOS.map((combo) => render(combo, PLAIN.field, PLAIN.schedule))
    const outputs = cases.map(({field, schedule}) => COMBOS.map((combo) => render(combo, field, schedule)))

    // YAML (CloudFormation, SAM, Serverless) through PyYAML, the handlers through Python's compiler: one process.
    const yamlAt = COMBOS.flatMap((combo, i) => (['cloudformation', 'sam', 'serverless'].includes(combo.format) ? [i] : []))
    const handlers = cases.flatMap(({field, schedule}) => RUNTIMES.flatMap((runtime) => VIAS.map((via) => ({field, runtime, code: wiring(runtime, via, field, schedule).code}))))
    const plainHandlers = RUNTIMES.flatMap((runtime) => VIAS.map((via) => ({runtime, code: wiring(runtime, via, PLAIN.field, PLAIN.schedule).code})))
    const python = readWithPython({
      yaml: [...yamlAt.map((i) => plain[i]), ...outputs.flatMap((row) => yamlAt.map((i) => row[i]))],
      python: [...plainHandlers, ...handlers].filter((handler) => handler.runtime === 'python').map((handler) => handler.code),
    })
    const plainYaml = python.yaml.slice(0, yamlAt.length)
    for (const read of plainYaml) expect(read.error).toBeUndefined()
    for (const [c] of cases.entries()) {
      for (const [k, i] of yamlAt.entries()) {
        const read = python.yaml[yamlAt.length + c * yamlAt.length + k]
        expect(read, `${JSON.stringify(cases[c])} ${JSON.stringify(COMBOS[i])}`).toEqual(plainYaml[k])
      }
    }

    const plainPython = python.python.slice(0, VIAS.length)
    const pythonCases = handlers.filter((handler) => handler.runtime === 'python')
    for (const [j, handler] of pythonCases.entries()) {
      const read = python.python[VIAS.length + j]
      const expected = plainPython[j % VIAS.length].ok
      expect(read.error, JSON.stringify(handler.field)).toBeUndefined()
      expect(read.ok?.top).toEqual(expected?.top)
      expect(read.ok?.subscripts).toEqual(withField(expected?.subscripts ?? [], handler.field))
    }

    // The Node.js handlers through node's own parser (one process), and TypeScript's for their structure.
    const nodeCases = handlers.filter((handler) => handler.runtime === 'nodejs')
    const nodeErrors = parseWithNode(nodeCases.map((handler) => handler.code))
    const plainNode = plainHandlers.filter((handler) => handler.runtime === 'nodejs').map((handler) => readTypeScript(handler.code, true))
    for (const [j, handler] of nodeCases.entries()) {
      expect(nodeErrors[j], JSON.stringify(handler.field)).toBeNull()
      const read = readTypeScript(handler.code, true)
      expect(read.errors).toEqual([])
      expect(read.top).toEqual(plainNode[j % VIAS.length].top)
      expect(read.subscripts).toEqual(withField(plainNode[j % VIAS.length].subscripts, handler.field))
    }

    // CDK through TypeScript's parser: the same top-level statements, the handler wholly in comments.
    const cdkAt = COMBOS.flatMap((combo, i) => (combo.format === 'cdk' ? [i] : []))
    for (const i of cdkAt) {
      const expected = readTypeScript(plain[i], false)
      expect(expected.errors).toEqual([])
      for (const [c, row] of outputs.entries()) {
        const read = readTypeScript(row[i], false)
        expect(read.errors, JSON.stringify(cases[c])).toEqual([])
        expect(read.top, JSON.stringify(cases[c])).toEqual(expected.top)
        expect(read.subscripts).toEqual(expected.subscripts)
      }
    }

    // Terraform through HCL's parser (the same blocks and attributes) and terraform fmt (one process).
    const tfAt = COMBOS.flatMap((combo, i) => (combo.format === 'terraform' ? [i] : []))
    for (const i of tfAt) {
      const expected = await parseHcl('grant.tf', plain[i])
      for (const [c, row] of outputs.entries()) expect(await parseHcl('grant.tf', row[i]), JSON.stringify(cases[c])).toEqual(expected)
    }

    expect(terraformFmtAll([...tfAt.map((i) => plain[i]), ...outputs.flatMap((row) => tfAt.map((i) => row[i]))])).toBe('')

    // JSON: the same policy and environment; the handler and notes as the wiring has them.
    const jsonAt = COMBOS.flatMap((combo, i) => (combo.format === 'json' ? [i] : []))
    for (const i of jsonAt) {
      const expected = JSON.parse(plain[i])
      const entry = (value: Record<string, unknown>) => (COMBOS[i].keyed ? (value.checkout as Record<string, unknown>) : value)
      for (const [c, row] of outputs.entries()) {
        const read = JSON.parse(row[i])
        expect(Object.keys(read)).toEqual(Object.keys(expected))
        const {handler, notes, ...rest} = entry(read)
        const {handler: _h, notes: _n, ...expectedRest} = entry(expected)
        expect(rest).toEqual(expectedRest)
        const wired = wiring(COMBOS[i].runtime, COMBOS[i].via, cases[c].field, cases[c].schedule)
        expect(handler).toBe(wired.code)
        expect(notes).toEqual(wired.notes)
      }
    }
    // Nor, beyond what its reader makes of it, any character a terminal or another reader could act on:
    // no control, line terminator, bidirectional control or noncharacter but the newlines between lines.
    for (const [c, row] of outputs.entries()) {
      for (const [i, output] of row.entries()) expect(UNSAFE.exec(output)?.[0], `${JSON.stringify(cases[c])} ${JSON.stringify(COMBOS[i])}`).toBeUndefined()
    }

    // The field and the schedule are still there for a person to read, escaped.
    for (const [c, {schedule}] of cases.entries()) {
      const cdk = outputs[c][COMBOS.findIndex((combo) => combo.format === 'cdk')]
      if (schedule !== '') expect(cdk).toContain(`schedule ${escapeLine(schedule)}`)
    }
  }, 120_000)

  // Names are checked where they are read; a renderer handed one anyway refuses it rather than write
  // a scalar the `yaml` package would leave raw (NEL, LS, PS) and a YAML 1.1 reader would break.
  it.each(['cloudformation', 'serverless'] as const)('%s: a key or value a YAML 1.1 reader would break is refused, never written', (format) => {
    for (const code of [0x85, 0x20_28, 0x20_29, 0xFF_FE]) {
      const functionName = `check${String.fromCharCode(code)}out`
      const document = buildPolicy({functionName: 'checkout', scope, secrets: [DB], describe: false, kmsKeyArns: []}, PSEUDO_PLACEMENT)
      expect(() => renderPolicies(format, [{functionName, env: 'prod', service: 'api', document}], {keyed: format === 'serverless'})).toThrow(
        expect.objectContaining({exitCode: 2, message: expect.stringMatching(/cannot be written into YAML as it is/)}),
      )
    }
  })

  it('sam: a function name is written only in its comment, escaped', () => {
    const document = buildPolicy({functionName: 'checkout', scope, secrets: [DB], describe: false, kmsKeyArns: []}, PSEUDO_PLACEMENT)
    const text = renderPolicies('sam', [{functionName: 'check\u0085out', env: 'prod', service: 'api', document}], {keyed: false})
    expect(text).toContain('# check\\u{85}out (prod)')
    expect(UNSAFE.exec(text)).toBeNull()
  })
})
