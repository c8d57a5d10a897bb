import {type FunctionConfiguration, GetFunctionConfigurationCommand, type LambdaClient, paginateListFunctions} from '@aws-sdk/client-lambda'

import type {LambdaFunctionEnvironment, LambdaReader} from '../../core/readers.js'
import {translated, translatedPages} from './pages.js'

/** Lambda behind the LambdaReader port. ListFunctions returns each function's variables: no call per function. */
export class AwsLambdaReader implements LambdaReader {
  constructor(private readonly client: LambdaClient) {}

  functions(): AsyncIterable<LambdaFunctionEnvironment[]> {
    return translatedPages(paginateListFunctions({client: this.client, pageSize: 50}, {}), {action: 'lambda:ListFunctions'}, (page) =>
      (page.Functions ?? []).map((fn) => toEnvironment(fn)),
    )
  }

  async configuration(name: string): Promise<LambdaFunctionEnvironment> {
    const fn = await translated({action: 'lambda:GetFunctionConfiguration', resource: name}, () =>
      this.client.send(new GetFunctionConfigurationCommand({FunctionName: name})),
    )
    return toEnvironment(fn)
  }
}

function toEnvironment(fn: FunctionConfiguration): LambdaFunctionEnvironment {
  const name = fn.FunctionName ?? fn.FunctionArn ?? '?'
  // Variables encrypted with a customer KMS key come back as an error when the caller may not decrypt them.
  if (fn.Environment?.Error) return {name, variables: {}, environmentError: fn.Environment.Error.ErrorCode ?? 'error'}
  return {name, variables: fn.Environment?.Variables ?? {}}
}
