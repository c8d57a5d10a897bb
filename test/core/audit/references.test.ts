import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {benignValueReason} from '../../../src/core/audit/references.js'

describe('references and flags', () => {
  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['true', 'boolean'],
    ['FALSE', 'boolean'],
    ['off', 'boolean'],
    ['0', 'number'],
    ['3600', 'number'],
    ['0.25', 'number'],
    ['{{resolve:secretsmanager:/prod/api/DB_PASS:SecretString}}', 'dynamic-reference'],
    ['{{resolve:ssm:/prod/api/flag}}', 'dynamic-reference'],
    ['{{resolve:ssm-secure:/prod/api/DB_PASS:1}}', 'dynamic-reference'],
    ['arn:aws:secretsmanager:us-east-1:123456789012:secret:/prod/api/DB_PASS-AbCdEf', 'arn'],
    ['arn:aws:ssm:us-east-1:123456789012:parameter/prod/api/DB_PASS', 'arn'],
    ['arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab', 'arn'],
    ['arn:aws-us-gov:s3:::bucket/key', 'arn'],
    ['/prod/api/DB_PASS', 'secret-name'],
    ['/prod/api/', 'secret-name'],
    ['https://vault.example.com/v1/secret', 'url-without-credentials'],
    ['${DB_PASSWORD}', 'placeholder'],
    ['<set me>', 'placeholder'],
    ['changeme', 'placeholder'],
    ['abc', 'too-short'],
  ])('%j is not a secret (%s)', (value, reason) => {
    expect(benignValueReason(value)).toBe(reason)
  })

  it.each([
    'hunter2hunter2',
    'correct horse battery staple',
    '12345678901',
    'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzzzzzzzzz',
    'postgres://admin:S3cret@db.example.com:5432/app',
    'https://user:pass@example.com/',
    'https://hooks.example.com/x?token=abcdef',
    'prod/api/DB_PASS',
  ])('%j may be a secret', (value) => {
    expect(benignValueReason(value)).toBeUndefined()
  })

  it('every Secrets Manager ARN and dynamic reference is a reference', () => {
    const part = fc.stringMatching(/^[A-Za-z0-9_.@-]{1,20}$/)
    fc.assert(
      fc.property(part, part, part, (env, service, name) => {
        expect(benignValueReason(`arn:aws:secretsmanager:eu-west-1:123456789012:secret:/${env}/${service}/${name}-AbCdEf`)).toBe('arn')
        expect(benignValueReason(`{{resolve:secretsmanager:/${env}/${service}/${name}}}`)).toBe('dynamic-reference')
        expect(benignValueReason(`/${env}/${service}/${name}`)).toBe('secret-name')
      }),
    )
  })
})
