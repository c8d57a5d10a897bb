import {
  DeleteParametersCommand,
  GetParametersCommand,
  paginateGetParametersByPath,
  type Parameter,
  type SSMClient,
} from '@aws-sdk/client-ssm'

import {translateAwsError} from '../aws/errors.js'
import {LISTINGS, listPages} from '../aws/paging.js'
import {inBatches} from '../core/batches.js'
import {SecretValue} from '../core/secret-value.js'

/** SSM's page size for GetParametersByPath and its batch size for GetParameters/DeleteParameters. */
const SSM_PAGE_SIZE = 10

/** One parameter as read from SSM: SecureStrings arrive decrypted, StringLists exactly as stored. */
export interface SsmParameter {
  name: string
  type: string
  value: SecretValue
}

/** What a migration needs from SSM Parameter Store; tests can pass another implementation. */
export interface ParameterSource {
  /**
   * Every parameter under `path`, recursively, one page (at most 10) at a time; a listing that never
   * ends is stopped (exit 6), and an aborted `signal` stops it (ListingStoppedError).
   */
  pages(path: string, options?: {signal?: AbortSignal}): AsyncIterable<SsmParameter[]>
  /** Current values of the named parameters (10 a call); names not found are left out. */
  read(names: string[]): Promise<Map<string, SsmParameter>>
  /** Deletes the named parameters, 10 a call; returns the names SSM confirmed deleted. */
  delete(names: string[]): Promise<string[]>
}

/** SSM Parameter Store as a migration source. The client is built by src/aws/clients.ts. */
export class SsmSource implements ParameterSource {
  constructor(private readonly client: SSMClient) {}

  async *pages(path: string, options: {signal?: AbortSignal} = {}): AsyncIterable<SsmParameter[]> {
    // WithDecryption: SecureStrings come back as plaintext (needs kms:Decrypt on their key).
    const input = {Path: path, Recursive: true, WithDecryption: true}
    const pages = listPages(LISTINGS.getParametersByPath, paginateGetParametersByPath, this.client, input, options)
    try {
      // AWS may answer an empty page with a NextToken; the paginator keeps going until there is none.
      for await (const page of pages) yield (page.Parameters ?? []).map(toParameter)
    } catch (error) {
      throw translateAwsError(error, {action: 'ssm:GetParametersByPath', resource: path})
    }
  }

  async read(names: string[]): Promise<Map<string, SsmParameter>> {
    const found = new Map<string, SsmParameter>()
    for (const batch of inBatches(names, SSM_PAGE_SIZE)) {
      try {
        const output = await this.client.send(new GetParametersCommand({Names: batch, WithDecryption: true}))
        for (const parameter of output.Parameters ?? []) found.set(parameter.Name ?? '', toParameter(parameter))
      } catch (error) {
        throw translateAwsError(error, {action: 'ssm:GetParameters', resource: batch.join(', ')})
      }
    }

    return found
  }

  async delete(names: string[]): Promise<string[]> {
    const deleted: string[] = []
    for (const batch of inBatches(names, SSM_PAGE_SIZE)) {
      try {
        const output = await this.client.send(new DeleteParametersCommand({Names: batch}))
        deleted.push(...(output.DeletedParameters ?? []))
      } catch (error) {
        throw translateAwsError(error, {action: 'ssm:DeleteParameters', resource: batch.join(', ')})
      }
    }

    return deleted
  }
}

function toParameter(parameter: Parameter): SsmParameter {
  return {
    name: parameter.Name ?? '',
    type: parameter.Type ?? 'String',
    // SSM values are text; a StringList is kept as the comma-joined string SSM returns.
    value: SecretValue.fromString(parameter.Value ?? ''),
  }
}
