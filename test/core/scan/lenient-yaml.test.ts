import {readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {scanManyForSecrets} from '../../../src/core/audit/secret-scan.js'
import {scanFile} from '../../../src/core/scan/scan-file.js'
import {cfnJson, parseTree, TemplateParseError} from '../../../src/core/scan/tree.js'
import {parseHcl} from '../../../src/services/hcl-parser.js'

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/scan/${name}`, import.meta.url), 'utf8')

/** The tree as CloudFormation's JSON form, as PyYAML (cfn-lint's reader) gives it. */
const read = (text: string) => {
  const tree = parseTree(text)
  return cfnJson(tree, tree.root)
}

describe('templates whose continuation lines sit no deeper than their key', () => {
  // Each text was checked with PyYAML (a loader that keeps CloudFormation's tags) and cfn-lint: both read it.
  const readable: Array<[string, string, unknown]> = [
    [
      'a single-quoted !Sub closed under its key',
      "Doc: !Sub '{\n    \"Action\": \"s3:*\",\n  \"Resource\": \"*\"\n}'\nNext: 1\n",
      {Doc: {'Fn::Sub': '{ "Action": "s3:*", "Resource": "*" }'}, Next: 1},
    ],
    [
      'a double-quoted scalar with a blank line and an escape, in a list item',
      'Items:\n  - Text: "one\n  two\n\n  three \\"quoted\\""\n    Other: x\n',
      {Items: [{Text: 'one two\nthree "quoted"', Other: 'x'}]},
    ],
    [
      'a flow list whose items start at the key\'s column',
      'Resource: [\n!Sub "arn:${AWS::Partition}:s3:::a",\n"arn:aws:s3:::b"\n]\nNext: 1\n',
      {Resource: [{'Fn::Sub': 'arn:${AWS::Partition}:s3:::a'}, 'arn:aws:s3:::b'], Next: 1},
    ],
    [
      'a flow map under a list item, nested flows and a plain scalar over two lines',
      'Statements:\n  - Policy: [{\n  Effect: Allow,\n  Action: [a,\n b], Note: two\n words\n  }]\n  - Second\n',
      {Statements: [{Policy: [{Effect: 'Allow', Action: ['a', 'b'], Note: 'two words'}]}, 'Second']},
    ],
  ]

  for (const [shape, text, expected] of readable) {
    it(`reads ${shape} as PyYAML does`, () => {
      expect(read(text)).toEqual(expected)
    })
  }

  it('keeps the line and column of every node after such a scalar or collection', () => {
    const tree = parseTree('A: !Sub \'{\n"x": 1\n}\'\nB: [\n1,\n2]\nC:\n  D: here\n')
    const c = tree.get(tree.root, 'C')
    expect(tree.position(tree.get(c, 'D'))).toEqual({line: 8, column: 6})
    expect(tree.position(tree.items(tree.get(tree.root, 'B'))[1])).toEqual({line: 6, column: 1})
  })

  // PyYAML and cfn-lint refuse each of these too.
  const refused: Array<[string, string, number]> = [
    ['a quoted scalar that reaches a document marker', "A: '{\n  x\n---\nB: 'y'\n", 2],
    ['a flow collection that reaches a document marker', 'A: [1,\n---\n2]\n', 2],
    ['a key that runs over two lines', 'A: 1\nB:stray\n  C: 2\n', 2],
    ['a block scalar whose line is less indented than its key', 'A:\n  B: |\n    kept\n  C\n', 4],
    ['a plain scalar continued under its key', 'A:\n  B: one\n  two\n', 3],
  ]

  for (const [shape, text, line] of refused) {
    it(`refuses ${shape}, naming its line`, () => {
      expect(() => parseTree(text)).toThrow(TemplateParseError)
      try {
        parseTree(text)
      } catch (error) {
        expect((error as TemplateParseError).line).toBe(line)
      }
    })
  }

  it('finds a secretsmanager:* on * in a quoted !Sub policy whose lines end under its key', async () => {
    const result = await scanFile('quoted-policy-lines.yml', fixture('cloudformation/quoted-policy-lines.yml'), scanManyForSecrets, parseHcl)
    expect(result.kind === 'scanned' && result.findings.map((item) => [item.line, item.column, item.rule, item.reason.slice(0, 27)])).toEqual([
      [26, 32, 'iam-all-secrets', 'Allow secretsmanager:* on *'],
    ])
  })
})
