import {describe, expect, it} from 'vitest'

import {scanManyForSecrets} from '../../../src/core/audit/secret-scan.js'
import {mayHoldTemplate} from '../../../src/core/scan/prefilter.js'
import {scanFile} from '../../../src/core/scan/scan-file.js'
import {parseHcl} from '../../../src/services/hcl-parser.js'

describe('mayHoldTemplate', () => {
  it.each([
    ['CloudFormation YAML', "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n", true],
    ['SAM YAML with Resources after other keys', 'Transform: AWS::Serverless-2016-10-31\nParameters:\n  Stage: {Type: String}\nResources:\n  Fn: {}\n', true],
    ['a quoted YAML key', '"Resources":\n  Fn: {}\n', true],
    ['Serverless', 'service: orders\nprovider:\n  name: aws\n', true],
    ['JSON template, Resources after Parameters', '{\n  "Parameters": {"A": {"Type": "String", "Default": "}{"}},\n  "Resources": {}\n}', true],
    ['minified CDK output', '{"Resources":{"Fn":{"Type":"AWS::Lambda::Function"}}}', true],
    ['an ECS task definition', '{"family": "web", "containerDefinitions": [{"name": "web"}]}', true],
    ['with a byte order mark', '\uFEFF{"AWSTemplateFormatVersion": "2010-09-09"}', true],
    ['a flow-style YAML template', "{'Resources': {}}", true],
    ['an SDK data file: Resources only deep inside', '{"version": "2.0", "shapes": {"CreateTags": {"members": {"Resources": {"shape": "List"}}}}}', false],
    ['the key inside a string value', '{"description": "\\"Resources\\": {} is a template key", "x": "Resources"}', false],
    ['a package manifest', '{"name": "app", "scripts": {"build": "tsc"}}', false],
    ['a JSON array', '[{"Resources": {}}]', false],
    ['YAML with the key indented under another', 'jobs:\n  Resources:\n    x: 1\nservices:\n  web: {}\n', false],
    ['docker compose', 'services:\n  web:\n    image: nginx\n', false],
  ])('%s: %s', (_, text, expected) => {
    expect(mayHoldTemplate(text)).toBe(expected)
  })

  it('says yes to an unterminated document, so the parser reports it', () => {
    expect(mayHoldTemplate('{"Parameters": {"A": "unterminated')).toBe(true)
  })
})

describe('scanFile on large data files that are not templates', () => {
  it('does not parse them, so a data file the YAML reader rejects is not reported as a broken template', async () => {
    // Valid JSON that the YAML reader refuses (a tab-indented key after a long line would do too): here,
    // a duplicate key. Before, it was parsed and reported unparsable (scan exit 2).
    const shapes = Array.from({length: 2000}, (_, i) => `"Shape${i}": {"members": {"Resources": {"shape": "List"}}}`).join(',')
    const text = `{"version": "2.0", "shapes": {${shapes}}, "version": "2.1"}`
    expect(await scanFile('vendor/botocore/data/ec2/service-2.json', text, scanManyForSecrets, parseHcl)).toEqual({kind: 'not-a-template'})
  })
})
