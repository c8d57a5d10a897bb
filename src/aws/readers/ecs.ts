import {DescribeTaskDefinitionCommand, type ECSClient, paginateListTaskDefinitionFamilies, type TaskDefinition} from '@aws-sdk/client-ecs'

import type {TaskDefinitionInput} from '../../core/audit/inspect.js'
import type {EcsReader} from '../../core/readers.js'
import {LISTINGS, listPages} from '../paging.js'
import {translated, translatedPages} from './pages.js'

/** ECS task definitions behind the EcsReader port: `environment` entries only (never `secrets`). */
export class AwsEcsReader implements EcsReader {
  constructor(private readonly client: ECSClient) {}

  families(): AsyncIterable<string[]> {
    return translatedPages(
      listPages(LISTINGS.listTaskDefinitionFamilies, paginateListTaskDefinitionFamilies, this.client, {status: 'ACTIVE'}),
      {action: 'ecs:ListTaskDefinitionFamilies'},
      (page) => page.families ?? [],
    )
  }

  async latest(family: string): Promise<TaskDefinitionInput | undefined> {
    // A family name alone resolves to its latest ACTIVE revision.
    const answer = await translated({action: 'ecs:DescribeTaskDefinition', resource: family}, async () => {
      try {
        return await this.client.send(new DescribeTaskDefinitionCommand({taskDefinition: family}))
      } catch (error) {
        if (isMissingDefinition(error)) return {taskDefinition: undefined}
        throw error
      }
    })
    return answer.taskDefinition === undefined ? undefined : toTaskDefinitionInput(answer.taskDefinition)
  }
}

/**
 * ECS has no not-found error for a task definition: a family with no ACTIVE revision, or none at all,
 * is a ClientException "Unable to describe task definition." (AWS and the emulator alike). Other
 * ClientExceptions (an invalid name, a malformed ARN) stay errors.
 */
function isMissingDefinition(error: unknown): boolean {
  const {name, message} = (error ?? {}) as {name?: string; message?: string}
  return name === 'ClientException' && /unable to describe task definition/i.test(message ?? '')
}

function toTaskDefinitionInput(definition: TaskDefinition): TaskDefinitionInput {
  return {
    family: definition.family ?? '?',
    revision: definition.revision ?? 0,
    ...(definition.taskRoleArn ? {taskRoleArn: definition.taskRoleArn} : {}),
    containers: (definition.containerDefinitions ?? []).map((container) => ({
      name: container.name ?? '?',
      environment: container.environment ?? [],
    })),
  }
}
