import {GetParametersCommand, paginateDescribeParameters, type SSMClient} from '@aws-sdk/client-ssm'

import type {ParameterSummary, SsmInventoryReader} from '../../core/readers.js'
import {LISTINGS, listPages} from '../paging.js'
import {translated, translatedPages} from './pages.js'

/**
 * Parameter Store, account-wide, behind the SsmInventoryReader port (audit). Migration reads one path
 * through src/stores/ssm-source.ts instead.
 */
export class AwsSsmInventoryReader implements SsmInventoryReader {
  constructor(private readonly client: SSMClient) {}

  parameters(): AsyncIterable<ParameterSummary[]> {
    return translatedPages(listPages(LISTINGS.describeParameters, paginateDescribeParameters, this.client, {}), {action: 'ssm:DescribeParameters'}, (page) =>
      (page.Parameters ?? []).map((parameter) => ({name: parameter.Name ?? '', ...(parameter.Type === undefined ? {} : {type: parameter.Type})})),
    )
  }

  async values(names: readonly string[]): Promise<Map<string, string>> {
    // Never decrypted: a SecureString is a finding whatever it holds, so its value is never read.
    const answer = await translated({action: 'ssm:GetParameters'}, () => this.client.send(new GetParametersCommand({Names: [...names], WithDecryption: false})))
    const values = new Map<string, string>()
    for (const parameter of answer.Parameters ?? []) {
      if (parameter.Name !== undefined && parameter.Value !== undefined) values.set(parameter.Name, parameter.Value)
    }

    return values
  }
}
