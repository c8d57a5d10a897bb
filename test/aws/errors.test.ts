import {
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager'
import {mockClient} from 'aws-sdk-client-mock'
import {afterAll, afterEach, describe, expect, it} from 'vitest'

import {translateAwsError} from '../../src/aws/errors.js'
import {ExitCode} from '../../src/core/errors.js'
import {SecretValue} from '../../src/core/secret-value.js'
import {SecretsManagerStore} from '../../src/stores/secrets-manager-store.js'
import {exitCodeOf} from '../helpers/errors.js'

/** An error shaped as the SDK throws it after its retries, for faults the emulator cannot produce. */
function sdkError(name: string, status: number | undefined, message = `${name} happened`, extra: Record<string, unknown> = {}) {
  return Object.assign(
    new SecretsManagerServiceException({name, $fault: status && status >= 500 ? 'server' : 'client', $metadata: {httpStatusCode: status, attempts: 8}, message}),
    extra,
  )
}

describe('translateAwsError', () => {
  it.each([
    ['ResourceNotFoundException', 400, ExitCode.notFound, /\/prod\/api\/DB_PASS was not found/],
    ['AccessDeniedException', 400, ExitCode.accessDenied, /Access denied: secretsmanager:GetSecretValue on \/prod\/api\/DB_PASS/],
    ['UnrecognizedClientException', 400, ExitCode.accessDenied, /Access denied/],
    ['ExpiredTokenException', 400, ExitCode.accessDenied, /Access denied/],
    ['ThrottlingException', 400, ExitCode.unavailable, /kept throttling .* after 8 attempts/],
    ['TooManyRequestsException', 429, ExitCode.unavailable, /throttling/],
    ['InternalServiceError', 500, ExitCode.unavailable, /AWS answered 500/],
    ['ServiceUnavailable', 503, ExitCode.unavailable, /AWS answered 503/],
    ['ResourceExistsException', 400, ExitCode.conflict, /already exists/],
    ['InvalidParameterException', 400, ExitCode.usage, /AWS refused/],
  ])('maps %s (HTTP %s) to exit %s', (name, status, exitCode, message) => {
    const error = translateAwsError(sdkError(name, status), {
      action: 'secretsmanager:GetSecretValue',
      resource: '/prod/api/DB_PASS',
      listHint: 'secrets list prod/api',
    })
    expect(error.exitCode).toBe(exitCode)
    expect(error.message).toMatch(message)
  })

  it.each([
    [{name: 'TimeoutError', message: 'Connection timed out after 5000 ms'}],
    [{name: 'Error', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1'}],
    [{name: 'Error', code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND secretsmanager.example'}],
    [{name: 'Error', code: 'ECONNRESET', message: 'socket hang up'}],
  ])('maps network failure %j to exit 6 with what to check', (raw) => {
    const error = translateAwsError(Object.assign(new Error(raw.message), raw), {action: 'secretsmanager:ListSecrets'})
    expect(error.exitCode).toBe(ExitCode.unavailable)
    expect(error.hint).toMatch(/endpoint-url|network/)
  })

  it('explains missing credentials as exit 5', () => {
    const error = translateAwsError(Object.assign(new Error('Could not load credentials from any providers'), {name: 'CredentialsProviderError'}), {
      action: 'secretsmanager:GetSecretValue',
    })
    expect(error.exitCode).toBe(ExitCode.accessDenied)
    expect(error.message).toMatch(/No AWS credentials/)
  })

  it('points to restore when the secret is scheduled for deletion', () => {
    const error = translateAwsError(sdkError('InvalidRequestException', 400, 'because it was marked for deletion.'), {
      action: 'secretsmanager:GetSecretValue',
      resource: '/prod/api/X',
    })
    expect(error.exitCode).toBe(ExitCode.conflict)
    expect(error.hint).toContain('secrets restore /prod/api/X')
  })

  it('maps anything unknown to exit 1 without inventing a cause', () => {
    const error = translateAwsError(sdkError('WeirdException', 418), {action: 'secretsmanager:GetSecretValue'})
    expect(error.exitCode).toBe(ExitCode.unexpected)
    expect(error.message).toContain('WeirdException')
  })
})

describe('SecretsManagerStore under faults the emulator cannot produce', () => {
  const mock = mockClient(SecretsManagerClient)
  afterEach(() => mock.reset())
  // The unit tier shares a worker's modules between files: the next file gets the real client back.
  afterAll(() => mock.restore())

  it('turns throttling on read into exit 6', async () => {
    mock.on(GetSecretValueCommand).rejects(sdkError('ThrottlingException', 400))
    const store = new SecretsManagerStore(new SecretsManagerClient({region: 'us-east-1'}))
    expect(await exitCodeOf(store.get('/prod/api/DB_PASS'))).toBe(ExitCode.unavailable)
  })

  it('turns a denied write into exit 5 naming the action and the secret, not the value', async () => {
    mock.on(GetSecretValueCommand).resolves({Name: '/prod/api/DB_PASS', SecretString: 'old'})
    mock.on(PutSecretValueCommand).rejects(sdkError('AccessDeniedException', 400, 'User is not authorized'))
    const store = new SecretsManagerStore(new SecretsManagerClient({region: 'us-east-1'}))
    try {
      await store.put('/prod/api/DB_PASS', SecretValue.fromString('canary-new-value'), {overwrite: true})
      expect.unreachable()
    } catch (error) {
      const failure = error as {exitCode: number; message: string; hint?: string}
      expect(failure.exitCode).toBe(ExitCode.accessDenied)
      expect(failure.message).toContain('secretsmanager:PutSecretValue on /prod/api/DB_PASS')
      expect(`${failure.message} ${failure.hint}`).not.toContain('canary')
    }
  })

  it('turns a timeout while listing into exit 6', async () => {
    mock.on(ListSecretsCommand).rejects(Object.assign(new Error('Request timed out'), {name: 'TimeoutError'}))
    const store = new SecretsManagerStore(new SecretsManagerClient({region: 'us-east-1'}))
    const listing = (async () => {
      for await (const secret of store.list('/prod/')) void secret
    })()
    expect(await exitCodeOf(listing)).toBe(ExitCode.unavailable)
  })
})
