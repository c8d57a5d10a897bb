import {describe, expect, it} from 'vitest'

import {extractServerless, serverlessEnvValue} from '../../../src/core/scan/serverless.js'
import {parseTree} from '../../../src/core/scan/tree.js'

/** The value and default of each variable of `provider.environment` in a small serverless.yml. */
function environment(custom: string, variables: Record<string, string>) {
  const lines = [
    'service: shop',
    'provider:',
    '  name: aws',
    "  stage: ${opt:stage, 'dev'}",
    '  environment:',
    ...Object.entries(variables).map(([name, value]) => `    ${name}: ${value}`),
    'custom:',
    ...custom.split('\n').map((line) => `  ${line}`),
    'functions:',
    '  api:',
    '    handler: api.handler',
  ]
  const {env} = extractServerless(parseTree(lines.join('\n')))
  return Object.fromEntries(Object.keys(variables).map((name) => [name, env.filter((entry) => entry.variable === name).map((entry) => ({...entry.value, ...(entry.fallback ? {fallback: true} : {})}))]))
}

describe('serverlessEnvValue', () => {
  it.each([
    ['${ssm:/app/${opt:stage}/db_password}', {kind: 'resolved', source: 'ssm', path: '/app/${opt:stage}/db_password'}],
    ['${ssm:/app/db_password~true}', {kind: 'resolved', source: 'ssm', path: '/app/db_password'}],
    ['${ssm(eu-west-1):/app/db_password}', {kind: 'resolved', source: 'ssm', path: '/app/db_password'}],
    ['${ssm(eu-west-1):/aws/reference/secretsmanager/app/db~true}', {kind: 'resolved', source: 'secretsmanager', path: 'app/db'}],
    ['${file(./config/${opt:stage}.yml):CLIENT_SECRET}', {kind: 'resolved', source: 'file', path: './config/${opt:stage}.yml:CLIENT_SECRET'}],
    ['${file(./secrets.yml)}', {kind: 'resolved', source: 'file', path: './secrets.yml'}],
    ['${env:API_KEY}', {kind: 'resolved', source: 'env', path: 'API_KEY'}],
    ['${opt:region}', {kind: 'reference'}],
    ['${self:custom.table}', {kind: 'reference'}],
    ['plain-text', {kind: 'literal', text: 'plain-text'}],
  ])('reads %s as where it comes from', (text, value) => {
    expect(serverlessEnvValue(text).value).toEqual(value)
  })

  it('keeps a literal default apart from the source it stands in for', () => {
    expect(serverlessEnvValue("${env:API_KEY, 'local-default'}")).toEqual({value: {kind: 'resolved', source: 'env', path: 'API_KEY'}, fallback: 'local-default'})
    expect(serverlessEnvValue('${opt:stage, "dev"}')).toEqual({value: {kind: 'reference'}, fallback: 'dev'})
  })
})

describe('extractServerless follows ${self:...}', () => {
  it('to a literal, which is judged as one', () => {
    expect(environment('tableName: orders-${self:provider.region, "x"}\ntoken: literal-token-value', {TABLE: '${self:custom.tableName}', TOKEN: '${self:custom.token}'})).toEqual({
      TABLE: [{kind: 'literal', text: 'orders-x'}],
      TOKEN: [{kind: 'literal', text: 'literal-token-value'}],
    })
  })

  it('through other variables to the store, the shell or the file they read', () => {
    const custom = [
      'db: ${ssm:/shop/${self:custom.stageName}/db_password}',
      'stageName: prod',
      'alias: ${self:custom.db}',
      'config: ${file(./config.${opt:stage}.yml)}',
      'key: ${env:STRIPE_KEY}',
    ].join('\n')
    expect(environment(custom, {DB: '${self:custom.alias}', MAIL: '${self:custom.config.mail.API_KEY}', PAY: '${self:custom.key}'})).toEqual({
      DB: [{kind: 'resolved', source: 'ssm', path: '/shop/prod/db_password'}],
      MAIL: [{kind: 'resolved', source: 'file', path: './config.${opt:stage}.yml:mail.API_KEY'}],
      PAY: [{kind: 'resolved', source: 'env', path: 'STRIPE_KEY'}],
    })
  })

  it('stops at a cycle and at a path the file does not have, taking a default when one is given', () => {
    expect(
      environment('a: ${self:custom.b}\nb: ${self:custom.a}', {LOOP: '${self:custom.a}', GONE: '${self:custom.nothing}', DEFAULTED: "${self:custom.nothing, 'given'}"}),
    ).toEqual({LOOP: [{kind: 'reference'}], GONE: [{kind: 'reference'}], DEFAULTED: [{kind: 'literal', text: 'given'}]})
  })

  it('adds a literal default as an entry of its own', () => {
    expect(environment('x: 1', {API_KEY: "${env:API_KEY, 'default-key'}"})).toEqual({
      API_KEY: [
        {kind: 'resolved', source: 'env', path: 'API_KEY'},
        {kind: 'literal', text: 'default-key', fallback: true},
      ],
    })
  })
})

describe('a hostile chain of variables', () => {
  it('is read in bounded time: each level naming the next several times does not multiply the walk', () => {
    const levels = Array.from({length: 12}, (_, index) => `l${index}: ${`\${self:custom.l${index + 1}}`.repeat(8)}`)
    const started = performance.now()
    const found = environment([...levels, 'l12: leaf'].join('\n'), {DEEP: '${self:custom.l0}'})
    expect(performance.now() - started).toBeLessThan(2000)
    expect(found.DEEP).toHaveLength(1)
  })
})
