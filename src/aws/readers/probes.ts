import {BatchGetSecretValueCommand, DescribeSecretCommand, GetSecretValueCommand, ListSecretsCommand, type SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import {DescribeParametersCommand, type SSMClient} from '@aws-sdk/client-ssm'
import {GetCallerIdentityCommand, type STSClient} from '@aws-sdk/client-sts'

import type {CallerIdentity, CredentialProblem, PermissionProbes, ResolvedCredentials} from '../../core/readers.js'
import {credentialProblem} from '../errors.js'
import {translated} from './pages.js'

/** Doctor's one-call probes, behind the PermissionProbes port. Values read are dropped here. */
export class AwsPermissionProbes implements PermissionProbes {
  constructor(private readonly clients: {sts: STSClient; secretsManager: SecretsManagerClient; ssm: SSMClient}) {}

  async credentials(): Promise<{credentials: ResolvedCredentials} | {problem: CredentialProblem}> {
    try {
      const credentials = await this.clients.sts.config.credentials()
      return {credentials: {accessKeyId: credentials.accessKeyId ?? '', temporary: Boolean(credentials.sessionToken), ...(credentials.expiration ? {expiration: credentials.expiration} : {})}}
    } catch (error) {
      return {problem: credentialProblem(error)}
    }
  }

  async region(): Promise<string | undefined> {
    try {
      return await this.clients.sts.config.region()
    } catch {
      // "Region is missing": the caller reports it.
      return undefined
    }
  }

  async identity(): Promise<CallerIdentity> {
    const identity = await translated({action: 'sts:GetCallerIdentity'}, () => this.clients.sts.send(new GetCallerIdentityCommand({})))
    return {account: identity.Account, arn: identity.Arn}
  }

  async listSecrets(): Promise<void> {
    await translated({action: 'secretsmanager:ListSecrets'}, () => this.clients.secretsManager.send(new ListSecretsCommand({MaxResults: 1})))
  }

  async describeParameters(): Promise<void> {
    await translated({action: 'ssm:DescribeParameters'}, () => this.clients.ssm.send(new DescribeParametersCommand({MaxResults: 1})))
  }

  async batchGetSecretValue(name: string): Promise<void> {
    await translated({action: 'secretsmanager:BatchGetSecretValue', resource: name}, async () => {
      const output = await this.clients.secretsManager.send(new BatchGetSecretValueCommand({SecretIdList: [name]}))
      // BatchGetSecretValue reports per-secret failures in Errors rather than throwing.
      const error = output.Errors?.[0]
      if (error) throw Object.assign(new Error(error.Message ?? error.ErrorCode ?? 'error'), {name: error.ErrorCode ?? 'Error'})
    })
  }

  async getSecretValue(name: string): Promise<void> {
    // The value is read and dropped here: it is never kept, printed or compared.
    await translated({action: 'secretsmanager:GetSecretValue', resource: name}, () =>
      this.clients.secretsManager.send(new GetSecretValueCommand({SecretId: name, VersionStage: 'AWSCURRENT'})),
    )
  }

  async describeSecret(name: string): Promise<void> {
    await translated({action: 'secretsmanager:DescribeSecret', resource: name}, () => this.clients.secretsManager.send(new DescribeSecretCommand({SecretId: name})))
  }
}
