import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {looksLikeSecretName, nameWords, secretNameMatch} from '../../../src/core/audit/names.js'

describe('secret-looking names', () => {
  it.each([
    ['DB_PASSWORD', 'PASSWORD'],
    ['dbPassword', 'PASSWORD'],
    ['DB_PASS', 'PASS'],
    ['MYSQL_PWD', 'PWD'],
    ['JWT_SECRET', 'SECRET'],
    ['client-secret', 'SECRET'],
    ['GITHUB_TOKEN', 'TOKEN'],
    ['accessToken', 'TOKEN'],
    ['STRIPE_API_KEY', 'API_KEY'],
    ['apiKey', 'API_KEY'],
    ['APIKEY', 'APIKEY'],
    ['SSH_PRIVATE_KEY', 'PRIVATE_KEY'],
    ['GOOGLE_APPLICATION_CREDENTIALS', 'CREDENTIALS'],
    ['AWS_SECRET_ACCESS_KEY', 'SECRET'],
    ['SENTRY_DSN', 'DSN'],
    ['db-password', 'PASSWORD'],
    ['SESSION_KEY', 'SESSION_KEY'],
    ['TWITTER_CONSUMER_KEY', 'CONSUMER_KEY'],
    ['webhookHmacKey', 'HMAC_KEY'],
  ])('%s says secret (%s)', (name, word) => {
    expect(secretNameMatch(name)).toBe(word)
  })

  it.each([
    'LOG_LEVEL',
    'BYPASS_CACHE',
    'COMPASS_URL',
    'PASSENGER_COUNT',
    'DB_PASSWORD_SECRET_ARN',
    'DB_PASSWORD_SECRET_NAME',
    'API_KEY_PARAM',
    'TOKEN_TTL',
    'PASSWORD_MIN_LENGTH',
    'TOKEN_URL',
    'AWS_ACCESS_KEY_ID',
    'SECRETS_PREFIX',
    'CACHE_KEY',
    'S3_KEY',
    'NODE_ENV',
    'TOKENIZER_MODEL',
    '',
  ])('%s does not say secret', (name) => {
    expect(looksLikeSecretName(name)).toBe(false)
  })

  // A word glued from several, as in Checkov's ParameterStoreCredentials fixture (`MYSECRET`).
  it.each([
    ['MYSECRET', 'SECRET'],
    ['mysecret', 'SECRET'],
    ['/app/mysecret', 'SECRET'],
    ['MYSECRET2', 'SECRET'],
    ['DBPASSWORD', 'PASSWORD'],
    ['dbpassword1', 'PASSWORD'],
    ['DBPASSWD', 'PASSWD'],
    ['githubtoken', 'TOKEN'],
    ['SLACKTOKENS', 'TOKENS'],
    ['STRIPEAPIKEY', 'APIKEY'],
    ['gcpcredentials', 'CREDENTIALS'],
    ['SSHPRIVATEKEY', 'PRIVATEKEY'],
    ['walletpassphrase', 'PASSPHRASE'],
    ['SECRETVALUE', 'SECRET'],
    ['tokenvalue', 'TOKEN'],
    ['PASSWORDHASH', 'PASSWORD'],
    ['/prod/billing/stripesecret', 'SECRET'],
  ])('the glued word %s says secret (%s)', (name, word) => {
    expect(secretNameMatch(name)).toBe(word)
  })

  it.each([
    'KEYBOARD',
    'SECRETARY_EMAIL',
    'secretaryEmail',
    'SECRETARYEMAIL',
    'HEADSECRETARY',
    'TOKENIZER',
    'tokenizermodel',
    'HFTOKENIZER',
    'TOKENIZATION_ENABLED',
    'PASSWORDLESS',
    'passwordless_login',
    'SECRETSMANAGER',
    'secretsmanager_endpoint',
    'BYPASSCACHE',
    'COMPASSURL',
    'PASSENGERCOUNT',
    'MYSECRETARN',
    'SECRETARN',
    'SECRETNAME',
    'TOKENTTL',
    'PASSWORDLENGTH',
    'TOKENURL',
    'APIKEYPARAM',
    'MYSECRET_ARN',
    'dbpasswordName',
    'TOKENBUCKET',
    'SECRETNAMEPREFIX',
    'TOKENTTLSECONDS',
    'SECRETLINT_CONFIG',
    'CREDENTIALSPECS',
  ])('the glued word %s does not say secret', (name) => {
    expect(looksLikeSecretName(name)).toBe(false)
  })

  it('a glued secret word keeps its meaning whatever is glued in front of it', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Z][A-Z0-9]{0,10}$/), fc.constantFrom('PASSWORD', 'SECRET', 'TOKEN', 'APIKEY', 'CREDENTIALS'), (prefix, word) => {
        expect(looksLikeSecretName(`${prefix}${word}`)).toBe(true)
      }),
    )
  })

  it('splits camelCase, kebab-case and paths into words', () => {
    expect(nameWords('dbPassword-v2/x')).toEqual(['DB', 'PASSWORD', 'V2', 'X'])
  })

  it('a secret word keeps its meaning whatever is in front of it', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Z][A-Z0-9]{0,10}$/), (prefix) => {
        expect(looksLikeSecretName(`${prefix}_PASSWORD`)).toBe(true)
      }),
    )
  })
})
