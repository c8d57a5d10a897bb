import {Scope} from '../../../src/core/address.js'
import {ssmSource} from '../../../src/services/migrate.js'
import {SsmSource} from '../../../src/stores/ssm-source.js'
import {secretStore, seed, ssm} from '../../fixtures/migrate-helpers.js'
import {migrationSourceContract} from './contract.js'

/*
 * The SSM source against Parameter Store and Secrets Manager on the emulator, so its memory stand-in
 * in sources-memory.test.ts stays faithful (paging, deletion, tags as AWS stores them).
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
