import {Scope} from '../../../src/core/address.js'
import {digestOf, mapDotenvKey, type SourceItem} from '../../../src/core/migration-plan.js'
import {SecretValue} from '../../../src/core/secret-value.js'
import {dotenvSource, ecsSource, lambdaSource, type MigrationSource, ssmSource} from '../../../src/services/migrate.js'
import {sortByName, takenByOnly} from '../../../src/services/migrate/read-source.js'
import type {EnvironmentSource, FunctionEnvironment, FunctionEnvironmentEditor} from '../../../src/stores/environment-source.js'
import {MemoryStore} from '../../../src/stores/memory-store.js'
import type {ParameterSource, SsmParameter} from '../../../src/stores/ssm-source.js'
import {migrationSourceContract} from './contract.js'

/** A value the audit's rules call a secret by its name and its look (a workload's items are judged). */
const SECRET = 'pW7#kQ2$vZ9!mX4@'

/** SSM in memory: one page per listing, deletions remove. */
class MemoryParameters implements ParameterSource {
  constructor(readonly parameters: Map<string, SsmParameter>) {}
  async *pages(path: string): AsyncIterable<SsmParameter[]> {
    yield [...this.parameters.values()].filter((parameter) => parameter.name.startsWith(`${path}/`))
  }

  async read(names: string[]): Promise<Map<string, SsmParameter>> {
    return new Map(names.flatMap((name) => (this.parameters.has(name) ? [[name, this.parameters.get(name) as SsmParameter]] : [])))
  }

  async delete(names: string[]): Promise<string[]> {
    for (const name of names) this.parameters.delete(name)
    return names
  }
}

/** One function's (or one family's) environment in memory; a function's can be edited under its revision. */
class MemoryEnvironment implements EnvironmentSource, FunctionEnvironmentEditor {
  revision = 1
  readonly editor?: FunctionEnvironmentEditor
  constructor(
    readonly kind: 'lambda' | 'ecs',
    readonly name: string,
    public variables_: Record<string, string>,
    /** ECS items are CONTAINER/VARIABLE. */
    private readonly container?: string,
  ) {
    if (kind === 'lambda') this.editor = this
  }

  async variables() {
    return Object.entries(this.variables_).map(([variable, value]) => ({
      name: this.container ? `${this.container}/${variable}` : variable,
      variable,
      workload: this.name,
      value: SecretValue.fromString(value),
    }))
  }

  async current(): Promise<FunctionEnvironment> {
    return {variables: {...this.variables_}, revisionId: `r${this.revision}`}
  }

  async replace(_fn: string, variables: Record<string, string>): Promise<void> {
    this.variables_ = variables
    this.revision += 1
  }
}

/**
 * A source written for this suite alone: a key-value vault in memory. It is the worked example of
 * docs/ARCHITECTURE.md: one object implementing MigrationSource, with a removal, and nothing else
 * in the migration changed for it.
 */
function vaultSource(vault: Map<string, string>): MigrationSource {
  return {
    kind: 'vault',
    name: 'the test vault',
    words: {noun: 'entry', deleted: 'purged', toDelete: 'to purge', kept: 'kept'},
    judgedAlways: false,
    planOrder: 'name',
    async read(reading) {
      for (const [key, text] of vault) {
        reading.onRead()
        if (!takenByOnly(reading, [key])) {
          reading.notSelected += 1
          continue
        }

        const value = SecretValue.fromString(text)
        const item: SourceItem = {name: key, digest: digestOf(value.bytes), byteLength: value.byteLength}
        reading.sources.push(item)
        reading.cache.keep(key, value)
      }

      sortByName(reading)
    },
    targetMapping: (inputs) => (item) => mapDotenvKey(item.name.slice(item.name.lastIndexOf('/') + 1), inputs.to as Scope),
    tagName: (item) => `vault:${item}`,
    removal: {
      async remove(_run, working) {
        for (const {item, report} of working) {
          if (report.verified !== true && report.outcome !== 'unchanged') continue
          vault.delete(item.source.name)
          report.sourceDeleted = true
        }

        return {}
      },
      planLine: (count, dryRun) => `\n${dryRun ? 'Would purge' : 'Will purge'} ${count} vault entries:`,
      question: (names) => `Purge ${names.join(', ')} from the vault?`,
      failedHint: (error) => `Purging the vault failed (${error.message}); run the same command again.`,
    },
    unmatched: {what: 'entry in', hint: '--only takes an entry of the vault.'},
    migratedEarlierWhere: 'purged from the vault',
    collisionFix: () => 'Migrate the colliding entries separately',
  }
}

const store = async () => new MemoryStore()

migrationSourceContract(
  'SSM (in memory)',
  async (env) => {
    const parameters = new MemoryParameters(
      new Map([
        [`/${env}/api/DB_PASSWORD`, {name: `/${env}/api/DB_PASSWORD`, type: 'SecureString', value: SecretValue.fromString(SECRET)}],
        [`/${env}/api/LOG_LEVEL`, {name: `/${env}/api/LOG_LEVEL`, type: 'String', value: SecretValue.fromString('debug')}],
      ]),
    )
    return {
      source: ssmSource(`/${env}/api`, parameters),
      item: `/${env}/api/DB_PASSWORD`,
      value: SECRET,
      to: Scope.parse(`${env}/api`),
      remaining: async () => [...parameters.parameters.keys()],
    }
  },
  store,
)

migrationSourceContract(
  '.env',
  async (env) => ({source: dotenvSource('.env.contract', `DB_PASSWORD='${SECRET}'\nLOG_LEVEL=debug\n`), item: 'DB_PASSWORD', value: SECRET, to: Scope.parse(`${env}/api`)}),
  store,
)

migrationSourceContract(
  'Lambda environment (in memory)',
  async (env) => {
    const fn = new MemoryEnvironment('lambda', `${env}-api`, {DB_PASSWORD: SECRET, LOG_LEVEL: 'debug'})
    return {source: lambdaSource(fn), item: 'DB_PASSWORD', value: SECRET, to: Scope.parse(`${env}/api`), remaining: async () => Object.keys(fn.variables_)}
  },
  store,
)

migrationSourceContract(
  'ECS task definition (in memory)',
  async (env) => ({
    source: ecsSource(new MemoryEnvironment('ecs', `${env}-worker`, {DB_PASSWORD: SECRET, LOG_LEVEL: 'debug'}, 'app')),
    item: 'app/DB_PASSWORD',
    value: SECRET,
    to: Scope.parse(`${env}/worker`),
  }),
  store,
)

migrationSourceContract(
  'a test-only vault (the worked example of a new source)',
  async (env) => {
    const vault = new Map([[`${env}/DB_PASSWORD`, SECRET]])
    return {source: vaultSource(vault), item: `${env}/DB_PASSWORD`, value: SECRET, to: Scope.parse(`${env}/api`), remaining: async () => [...vault.keys()]}
  },
  store,
)
