import type {STSClient} from '@aws-sdk/client-sts'

import type {IdentityReader} from '../../core/readers.js'
import {type AwsContext, callerAccount} from '../clients.js'

/** Who and where a context acts, behind the IdentityReader port. */
export class AwsIdentityReader implements IdentityReader {
  constructor(
    private readonly client: STSClient,
    private readonly context: AwsContext,
  ) {}

  async region(): Promise<string | undefined> {
    // The SDK's configuration chain, no network; it throws "Region is missing" when there is none.
    try {
      return (await this.client.config.region()) || undefined
    } catch {
      return undefined
    }
  }

  account(): Promise<string> {
    return callerAccount(this.context)
  }
}
