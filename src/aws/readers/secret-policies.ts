import {GetResourcePolicyCommand, paginateListSecrets, type SecretsManagerClient} from '@aws-sdk/client-secrets-manager'

import type {SecretPolicyReader, SecretSummary} from '../../core/readers.js'
import {LISTINGS, listPages} from '../paging.js'
import {translated, translatedPages} from './pages.js'

/**
 * Secrets Manager's secrets and their resource policies, behind the SecretPolicyReader port (audit).
 * The client is the paced one of src/aws/clients.ts: ListSecrets and GetResourcePolicy run under the
 * quotas of src/aws/quotas.ts like every other Secrets Manager call.
 */
export class AwsSecretPolicyReader implements SecretPolicyReader {
  constructor(private readonly client: SecretsManagerClient) {}

  secrets(): AsyncIterable<SecretSummary[]> {
    return translatedPages(listPages(LISTINGS.listSecrets, paginateListSecrets, this.client, {}), {action: 'secretsmanager:ListSecrets'}, (page) =>
      (page.SecretList ?? []).flatMap((secret) => (secret.Name === undefined ? [] : [{name: secret.Name, ...(secret.ARN === undefined ? {} : {arn: secret.ARN})}])),
    )
  }

  async resourcePolicy(secretId: string): Promise<string | undefined> {
    const answer = await translated({action: 'secretsmanager:GetResourcePolicy', resource: secretId}, () => this.client.send(new GetResourcePolicyCommand({SecretId: secretId})))
    return answer.ResourcePolicy || undefined
  }
}
