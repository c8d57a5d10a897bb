/**
 * BatchGetSecretValue takes no version stage. AWS answers each secret's AWSCURRENT version; moto
 * answers the version it last wrote, which after a field write (UpdateSecretVersionStage) is no
 * longer current. The store trusts an answer labelled AWSCURRENT and re-reads any other.
 */
import {BatchGetSecretValueCommand, GetSecretValueCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import {mockClient} from 'aws-sdk-client-mock'
import {afterAll, afterEach, describe, expect, it} from 'vitest'

import {SecretsManagerStore} from '../../src/stores/secrets-manager-store.js'

describe('SecretsManagerStore.getMany', () => {
  const mock = mockClient(SecretsManagerClient)
  afterEach(() => mock.reset())
  // The unit tier shares a worker's modules between files: the next file gets the real client back.
  afterAll(() => mock.restore())
  const store = () => new SecretsManagerStore(new SecretsManagerClient({region: 'us-east-1'}))

  it('makes one call when every answer is the AWSCURRENT version, as AWS answers', async () => {
    mock.on(BatchGetSecretValueCommand).resolves({
      SecretValues: [
        {Name: '/prod/api/A', SecretString: 'a', VersionId: 'va', VersionStages: ['AWSCURRENT']},
        {Name: '/prod/api/B', SecretString: 'b', VersionId: 'vb', VersionStages: ['AWSCURRENT', 'CUSTOM']},
      ],
    })
    const result = await store().getMany(['/prod/api/A', '/prod/api/B'])
    expect(result.values.get('/prod/api/A')?.text).toBe('a')
    expect(result.versionIds?.get('/prod/api/B')).toBe('vb')
    expect(mock.calls()).toHaveLength(1)
  })

  it('re-reads, by the AWSCURRENT stage, only a secret whose answer is another version', async () => {
    mock.on(BatchGetSecretValueCommand).resolves({
      SecretValues: [
        {Name: '/prod/api/A', SecretString: 'a', VersionId: 'va', VersionStages: ['AWSCURRENT']},
        {Name: '/prod/api/B', SecretString: 'stale', VersionId: 'old', VersionStages: ['AWSPREVIOUS']},
      ],
    })
    mock.on(GetSecretValueCommand, {SecretId: '/prod/api/B', VersionStage: 'AWSCURRENT'}).resolves({Name: '/prod/api/B', SecretString: 'fresh', VersionId: 'new'})
    const result = await store().getMany(['/prod/api/A', '/prod/api/B'])
    expect(result.values.get('/prod/api/B')?.text).toBe('fresh')
    expect(result.versionIds?.get('/prod/api/B')).toBe('new')
    expect(mock.commandCalls(GetSecretValueCommand)).toHaveLength(1)
    expect(mock.calls()).toHaveLength(2)
  })
})
