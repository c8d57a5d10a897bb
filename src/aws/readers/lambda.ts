import {
  type FunctionConfiguration,
  GetFunctionConfigurationCommand,
  type LambdaClient,
  ListTagsCommand,
  paginateListFunctions,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda'

import {SecretsError} from '../../core/errors.js'
import type {LambdaEnvironmentWriter, LambdaFunctionEnvironment, LambdaReader, LambdaTagReader} from '../../core/readers.js'
import {LISTINGS, listPages} from '../paging.js'
import {translated, translatedPages} from './pages.js'

/** Lambda behind the LambdaReader port. ListFunctions returns each function's variables: no call per function. */
export class AwsLambdaReader implements LambdaReader, LambdaTagReader {
  constructor(private readonly client: LambdaClient) {}

  functions(options: {signal?: AbortSignal} = {}): AsyncIterable<LambdaFunctionEnvironment[]> {
    return translatedPages(listPages(LISTINGS.listFunctions, paginateListFunctions, this.client, {}, options), {action: 'lambda:ListFunctions'}, (page) =>
      (page.Functions ?? []).map((fn) => toEnvironment(fn)),
    )
  }

  async configuration(name: string): Promise<LambdaFunctionEnvironment> {
    const fn = await translated({action: 'lambda:GetFunctionConfiguration', resource: name}, () =>
      this.client.send(new GetFunctionConfigurationCommand({FunctionName: name})),
    )
    return toEnvironment(fn)
  }

  async tags(arn: string): Promise<Record<string, string>> {
    const answer = await translated({action: 'lambda:ListTags', resource: arn}, () => this.client.send(new ListTagsCommand({Resource: arn})))
    return answer.Tags ?? {}
  }
}

/** UpdateFunctionConfiguration with the environment alone and the revision it was read at. */
export class AwsLambdaEnvironmentWriter implements LambdaEnvironmentWriter {
  constructor(private readonly client: LambdaClient) {}

  async replaceVariables(name: string, variables: Record<string, string>, revisionId: string): Promise<void> {
    // Only Environment is sent: every other setting (memory, timeout, role, layers, KMS key) stays.
    // AWS replaces the whole variable set, so `variables` is every variable the function keeps.
    try {
      await translated({action: 'lambda:UpdateFunctionConfiguration', resource: name}, () =>
        this.client.send(new UpdateFunctionConfigurationCommand({FunctionName: name, Environment: {Variables: variables}, RevisionId: revisionId})),
      )
    } catch (error) {
      // The request carried every variable the function keeps, values included, and a validation
      // error's text may quote it back: that text is dropped, only AWS's error name is kept.
      if (error instanceof SecretsError && error.message.startsWith('AWS refused')) {
        const refused = new SecretsError(`AWS refused lambda:UpdateFunctionConfiguration on ${name} (${error.code}); nothing was changed.`, {code: error.code, exitCode: error.exitCode})
        refused.aws = error.aws
        throw refused
      }

      throw error
    }
  }
}

function toEnvironment(fn: FunctionConfiguration): LambdaFunctionEnvironment {
  const name = fn.FunctionName ?? fn.FunctionArn ?? '?'
  const about = {
    ...(fn.FunctionArn ? {arn: fn.FunctionArn} : {}),
    ...(fn.Role ? {role: fn.Role} : {}),
    ...(fn.RevisionId ? {revisionId: fn.RevisionId} : {}),
    // Absent for a function packaged as a container image.
    ...(fn.Runtime ? {runtime: fn.Runtime} : {}),
  }
  // Variables encrypted with a customer KMS key come back as an error when the caller may not decrypt them.
  if (fn.Environment?.Error) return {name, variables: {}, environmentError: fn.Environment.Error.ErrorCode ?? 'error', ...about}
  return {name, variables: fn.Environment?.Variables ?? {}, ...about}
}
