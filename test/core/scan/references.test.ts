import {readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {scanManyForSecrets} from '../../../src/core/audit/secret-scan.js'
import {scanFile} from '../../../src/core/scan/scan-file.js'
import {literalPieces, literalText, parseTree, templateReferences} from '../../../src/core/scan/tree.js'
import {parseHcl} from '../../../src/services/hcl-parser.js'

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/scan/${name}`, import.meta.url), 'utf8')

async function findingsOf(name: string, text = fixture(name)) {
  const result = await scanFile(name, text, scanManyForSecrets, parseHcl)
  if (result.kind !== 'scanned') throw new Error(`not scanned: ${JSON.stringify(result)}`)
  return result.findings
}

/** The node under `V:` of a one-line YAML document. */
function valueOf(yaml: string) {
  const tree = parseTree(`V: ${yaml}\n`)
  return {tree, node: tree.get(tree.root, 'V')}
}

describe('literalText', () => {
  it.each([
    ['plain', 'plain'],
    ["!Join ['', [a, b, c]]", 'abc'],
    ['!Join [":", [a, 1, true]]', 'a:1:true'],
    ['{"Fn::Join": ["-", [x, {"Fn::Join": ["", [y, z]]}]]}', 'x-yz'],
    ["!Base64 'some text'", 'some text'],
    ['{"Fn::Base64": {"Fn::Join": ["", [p, q]]}}', 'pq'],
    ['!Select [1, [a, b, c]]', 'b'],
    ['!Select ["2", !Split [",", "a,b,c"]]', 'c'],
    ["!Sub 'no substitution'", 'no substitution'],
    ["!Sub 'escaped ${!Name}'", 'escaped ${Name}'],
    ["!Sub ['plain', {}]", 'plain'],
  ])('reads %s as the literal %s', (yaml, expected) => {
    const {tree, node} = valueOf(yaml)
    expect(literalText(tree, node)).toBe(expected)
  })

  it.each([
    ['!Ref Stage'],
    ["!Join ['', [a, !Ref Stage]]"],
    ['{"Fn::Base64": {"Ref": "Stage"}}'],
    ['!Select [!Ref Index, [a, b]]'],
    ['!Select [0, !Ref Names]'],
    ['!Select [5, [a, b]]'],
    ["!Sub '${Stage}-orders'"],
    ['!If [IsProd, a, b]'],
    ['!GetAtt Thing.Arn'],
  ])('leaves %s unread: part of it is resolved at deploy', (yaml) => {
    const {tree, node} = valueOf(yaml)
    expect(literalText(tree, node)).toBeUndefined()
  })
})

describe('literalPieces', () => {
  it.each([
    ["!Join ['', [Bearer-, abc, !Ref Token, tail]]", ['Bearer-abc', 'tail']],
    ["!Join [':', [arn, !Ref AWS::Partition, s3]]", ['arn', 's3']],
    ["!Sub 'https://${Host}/path'", ['https://${Host}/path']],
    ["!Sub ['${A}-x', {A: !Join ['', [lit, !Ref B]]}]", ['${A}-x', 'lit']],
    ['!If [IsProd, first, !Ref Other]', ['first']],
    ['!Select [!Ref Index, [one, two]]', ['one', 'two']],
    ['!Ref Stage', []],
    ['!GetAtt Thing.Arn', []],
  ])('reads the literal text of %s as %j, never a name', (yaml, expected) => {
    const {tree, node} = valueOf(yaml)
    expect(literalPieces(tree, node)).toEqual(expected)
  })
})

describe('templateReferences', () => {
  it.each([
    ['!Ref Token', ['Token'], []],
    ['{"Ref": "Token"}', ['Token'], []],
    ['!GetAtt Client.ClientSecret', [], ['Client.ClientSecret']],
    ['!GetAtt [Client, ClientSecret]', [], ['Client.ClientSecret']],
    ['{"Fn::GetAtt": [Db, MasterUserSecret.SecretArn]}', [], ['Db.MasterUserSecret.SecretArn']],
    ["!Sub 'Bearer ${Token} for ${Client.ClientSecret} in ${AWS::Region}, not ${!Escaped}'", ['Token', 'AWS::Region'], ['Client.ClientSecret']],
    ["!Sub ['${Pw}@host', {Pw: !Ref Password}]", ['Password'], []],
    ["!Join ['', [a, !If [Cond, !Ref Left, {Ref: Right}]]]", ['Left', 'Right'], []],
    ['plain text ${Token}', [], []],
  ])('finds in %s the refs %j and the attributes %j', (yaml, refs, attributes) => {
    const {tree, node} = valueOf(yaml)
    const found = templateReferences(tree, node)
    expect(found.refs).toEqual(refs)
    expect(found.attributes.map(({resource, attribute}) => `${resource}.${attribute}`)).toEqual(attributes)
  })
})

describe('scan of secrets passed by reference in CloudFormation and SAM', () => {
  it('stores a NoEcho parameter with secrets set, and removes the variable and the parameter', async () => {
    const findings = await findingsOf('sam/references.yaml')
    const relay = findings.find((item) => item.rule === 'env-resolved-secret' && item.variable === 'RELAY_TOKEN')!
    expect(relay).toMatchObject({resource: 'Globals', line: 35})
    expect(relay.reason).toContain('the template parameter RelayToken, declared NoEcho')
    expect(relay.fix.store).toBe('secrets set prod/payments-webhook RELAY_TOKEN')
    expect(relay.fix.grant).toBe('secrets grant prod/payments-webhook --function prod-payments-webhook --secret RELAY_TOKEN --format sam --runtime nodejs')
    expect(relay.fix.change).toContain('remove RELAY_TOKEN from Globals.Function.Environment.Variables and the parameter RelayToken once nothing else takes it')
  })

  it('moves the String parameter behind an SSM parameter type out of Parameter Store', async () => {
    const findings = await findingsOf('sam/references.yaml')
    const signing = findings.find((item) => item.variable === 'SIGNING_SECRET')!
    expect(signing.rule).toBe('env-resolved-secret')
    expect(signing.reason).toContain('the Parameter Store parameter /prod/payments/webhook-signing-secret (a String) read at deploy through the template parameter SigningSecretParam')
    expect(signing.fix.store).toBe('secrets migrate --from-ssm /prod/payments --to prod/payments --only webhook-signing-secret --delete-source')
    const named = (await findingsOf('cloudformation/references.yml')).find((item) => item.variable === 'FEED_CREDENTIAL')!
    expect(named.fix.store).toBe('secrets set prod/sync FEED_CREDENTIAL')
  })

  it('keeps a secret the stack creates in Secrets Manager, with no store command', async () => {
    const findings = await findingsOf('cloudformation/references.yml')
    const key = findings.find((item) => item.variable === 'UPSTREAM_SECRET_KEY')!
    expect(key.reason).toContain('SyncUserKey.SecretAccessKey, a secret the stack creates (AWS::IAM::AccessKey)')
    expect(key.fix.store).toBeUndefined()
    expect(key.fix.change).toContain('an AWS::SecretsManager::Secret in this template named /prod/sync/UPSTREAM_SECRET_KEY whose SecretString is !GetAtt SyncUserKey.SecretAccessKey')
    const container = findings.find((item) => item.variable === 'worker/DB_PASSWORD')!
    expect(container.reason).toContain('in plain text in the task definition')
  })

  it('reports the literal Default of a parameter that fills a variable where it is written', async () => {
    const findings = await findingsOf('sam/references.yaml')
    expect(findings.find((item) => item.resource === 'RelayToken')).toMatchObject({rule: 'env-secret-name', line: 21, variable: 'RELAY_TOKEN'})
    expect(findings.find((item) => item.resource === 'LedgerKey')).toMatchObject({rule: 'env-secret-value', line: 24, variable: 'LEDGER_KEY'})
    expect(findings.find((item) => item.resource === 'LedgerKey')!.fix.change).toContain('delete the Default of LedgerKey and rotate the value')
    expect(findings.some((item) => item.resource === 'ArchivePassword' || item.resource === 'Stage')).toBe(false)
  })

  it('does not report a NoEcho Default that is a placeholder', async () => {
    const template = fixture('sam/references.yaml').replace('relay-CANARY-7f3a9c21d4e8', 'changeme')
    const findings = await findingsOf('sam/references.yaml', template)
    expect(findings.some((item) => item.resource === 'RelayToken')).toBe(false)
    expect(findings.some((item) => item.variable === 'RELAY_TOKEN' && item.rule === 'env-resolved-secret')).toBe(true)
  })

  it('judges the literal parts of a reference by their shape, never by the name', async () => {
    const template = [
      'AWSTemplateFormatVersion: "2010-09-09"',
      'Resources:',
      '  Fn:',
      '    Type: AWS::Lambda::Function',
      '    Properties:',
      '      Environment:',
      '        Variables:',
      "          API_TOKEN: !Join ['', ['Bearer ', !Ref Token]]",
      "          DB_PASSWORD_URL: !Sub 'postgres://app@${Host}/app'",
    ].join('\n')
    expect(await findingsOf('t.yaml', template)).toEqual([])
  })

  it('never carries a value, not even part of one', async () => {
    for (const name of ['sam/references.yaml', 'cloudformation/references.yml', 'cloudformation/references.json', 'dotenv/keys.env']) {
      expect(JSON.stringify(await findingsOf(name))).not.toContain('CANARY')
    }
  })
})

describe('scan of a committed .env with an unquoted multi-line PEM', () => {
  it('reports the key that opens a private key block at its line, with migrate --from-dotenv', async () => {
    const findings = await findingsOf('dotenv/keys.env')
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({rule: 'env-secret-value', variable: 'SIGNING_KEY', line: 3, column: 13})
    expect(findings[0].fix.store).toBe('secrets migrate --from-dotenv dotenv/keys.env --to ENV/SERVICE --only SIGNING_KEY')
    expect(JSON.stringify(findings)).not.toContain('BEGIN')
  })
})
