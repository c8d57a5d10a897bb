import {RegisterTaskDefinitionCommand} from '@aws-sdk/client-ecs'

import {AwsEcsReader} from '../../../src/aws/readers/ecs.js'
import {Scope} from '../../../src/core/address.js'
import {ecsSource, ssmSource} from '../../../src/services/migrate.js'
import {EcsEnvironmentSource} from '../../../src/stores/environment-source.js'
import {SsmSource} from '../../../src/stores/ssm-source.js'
import {emulatorClients} from '../../fixtures/audit-accounts.js'
import {secretStore, seed, ssm} from '../../fixtures/migrate-helpers.js'
import {emulatorEndpoint} from '../../helpers/cli.js'
import {migrationSourceContract} from './contract.js'

/*
 * The SSM and ECS sources against Parameter Store, ECS and Secrets Manager on the emulator, so their
 * memory stand-ins in sources-memory.test.ts stay faithful (paging, deletion, containers, tags as AWS
 * stores them). Lambda's removal needs the revision proxy of the integration tests: it runs there.
 */

const SECRET = 'pW7#kQ2$vZ9!mX4@'

migrationSourceContract(
  'SSM (emulator)',
  async (env) => {
    await seed([
      {name: `/${env}/api/DB_PASSWORD`, value: SECRET, type: 'SecureString'},
      {name: `/${env}/api/LOG_LEVEL`, value: 'debug', type: 'String'},
    ])
    const parameters = new SsmSource(await ssm())
    return {
      source: ssmSource(`/${env}/api`, parameters),
      item: `/${env}/api/DB_PASSWORD`,
      value: SECRET,
      to: Scope.parse(`${env}/api`),
      remaining: async () => {
        const names: string[] = []
        for await (const page of parameters.pages(`/${env}/api`)) names.push(...page.map((parameter) => parameter.name))
        return names
      },
    }
  },
  secretStore,
)

migrationSourceContract(
  'ECS task definition (emulator)',
  async (env) => {
    const {ecs} = emulatorClients(emulatorEndpoint())
    const family = `${env}-worker`
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        containerDefinitions: [{name: 'app', image: 'app:1', memory: 128, environment: [{name: 'DB_PASSWORD', value: SECRET}, {name: 'LOG_LEVEL', value: 'debug'}]}],
      }),
    )
    return {source: ecsSource(new EcsEnvironmentSource(new AwsEcsReader(ecs), family)), item: 'app/DB_PASSWORD', value: SECRET, to: Scope.parse(`${env}/worker`)}
  },
  secretStore,
)
