/**
 * Every hint and summary migrate and promote can end with, in both modes (issue 22): a dry run
 * speaks of what would happen, a real run of what did, and every flag a hint names is one the
 * command takes (a next step that is possible). Table-driven over the cases that reach each hint.
 */
import {readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {Scope} from '../../src/core/address.js'
import {SecretValue} from '../../src/core/secret-value.js'
import {migrate, type MigrateOptions} from '../../src/services/migrate.js'
import {type ConflictPolicy, preparePromotion} from '../../src/services/promote.js'
import {MemoryStore} from '../../src/stores/memory-store.js'
import type {ParameterSource, SsmParameter} from '../../src/stores/ssm-source.js'
import {ROOT} from '../helpers/cli.js'

class FakeSsm implements ParameterSource {
  constructor(private readonly parameters: SsmParameter[]) {}
  async *pages(path: string): AsyncIterable<SsmParameter[]> {
    yield this.parameters.filter((parameter) => parameter.name.startsWith(`${path}/`))
  }

  async read(names: string[]): Promise<Map<string, SsmParameter>> {
    return new Map(this.parameters.filter((parameter) => names.includes(parameter.name)).map((parameter) => [parameter.name, parameter]))
  }

  async delete(names: string[]): Promise<string[]> {
    return names
  }
}

const value = (text: string) => SecretValue.fromString(text)
const parameter = (name: string, text: string): SsmParameter => ({name, type: 'SecureString', value: value(text)})

/** Past-tense claims about writing: wrong in a dry run, which writes nothing. */
const PAST = /\b(was|were) (written|migrated|created|updated|promoted)\b|(?<!would )\bnot run\b|\bNothing was\b|\bwrote\b/i
/** The conditional: wrong after a real run, which did what it did. */
const CONDITIONAL = /\bwould\b/i

const manifest = JSON.parse(readFileSync(`${ROOT}oclif.manifest.json`, 'utf8')) as {commands: Record<string, {flags: Record<string, unknown>}>}

/** Every --flag a text names must be a flag of the command (or of another command it quotes in full). */
function unknownFlags(command: string, text: string): string[] {
  const quoted = [...text.matchAll(/"secrets (\w+)[^"]*"/g)].map((match) => match[1])
  const known = new Set([command, ...quoted].flatMap((id) => Object.keys(manifest.commands[id]?.flags ?? {})))
  return [...text.matchAll(/--([a-z][\w-]*)/g)].map((match) => match[1]).filter((flag) => !known.has(flag))
}

interface Case {
  label: string
  /** Seeds the store before the run. */
  seed?: (store: MemoryStore) => Promise<void>
}

interface MigrateCase extends Case {
  options: Omit<MigrateOptions, 'dryRun' | 'deleteSource' | 'concurrency' | 'onConflict'> & {onConflict?: ConflictPolicy}
  exitCode: number
}

const ssm = (...parameters: SsmParameter[]) => ({kind: 'ssm' as const, path: '/p', parameters: new FakeSsm(parameters)})
const scheduled = (name: string) => async (store: MemoryStore) => {
  await store.put(name, value('old'), {overwrite: true})
  await store.delete(name, {recoveryDays: 7})
}

const MIGRATE_CASES: MigrateCase[] = [
  {label: 'a clean create', options: {source: ssm(parameter('/p/s/A', 'a'))}, exitCode: 0},
  {label: 'a collision', options: {source: ssm(parameter('/p/s/a/X', '1'), parameter('/p/s/b/X', '2')), to: Scope.parse('p/s')}, exitCode: 2},
  {label: 'a collision under --flatten', options: {source: ssm(parameter('/p/s/a/X', '1'), parameter('/p/s/A/X', '2')), to: Scope.parse('p/s'), flatten: true}, exitCode: 2},
  {label: 'an unmapped parameter', options: {source: ssm(parameter('/p/s/a/b/X', '1'), parameter('/p/s/OK', '2'))}, exitCode: 2},
  {label: 'an empty value', options: {source: {kind: 'dotenv', file: '.env', text: 'EMPTY=\nGOOD=1\n'}, to: Scope.parse('p/d')}, exitCode: 2},
  {label: 'an invalid name', options: {source: {kind: 'dotenv', file: '.env', text: 'KEY-abcdef=1\nGOOD=1\n'}, to: Scope.parse('p/n')}, exitCode: 2},
  {label: 'a conflict', options: {source: ssm(parameter('/p/s/C', 'new'))}, seed: async (store) => void (await store.put('/p/s/C', value('old'), {overwrite: true})), exitCode: 4},
  {label: 'a conflict skipped', options: {source: ssm(parameter('/p/s/C', 'new')), onConflict: 'skip'}, seed: async (store) => void (await store.put('/p/s/C', value('old'), {overwrite: true})), exitCode: 0},
  {label: 'a target scheduled for deletion', options: {source: ssm(parameter('/p/s/G', 'new'))}, seed: scheduled('/p/s/G'), exitCode: 4},
]

describe('migrate: hints and summaries by mode', () => {
  it.each(MIGRATE_CASES.flatMap((kase) => [true, false].map((dryRun) => ({...kase, dryRun}))))('$label (dry run: $dryRun)', async ({options, seed, exitCode, dryRun}) => {
    const store = new MemoryStore()
    await seed?.(store)
    const report = await migrate(store, {onConflict: 'fail', ...options, dryRun, deleteSource: false, concurrency: 2})
    expect(report.exitCode).toBe(exitCode)
    const text = `${report.summary}\n${report.hint ?? ''}`
    expect(text).not.toMatch(dryRun ? PAST : CONDITIONAL)
    expect(unknownFlags('migrate', text)).toEqual([])
    // SSM cannot rename a parameter: no hint may ask for it.
    expect(text).not.toMatch(/rename the (parameters|sources)|distinct last segments/i)
  })
})

interface PromoteCase extends Case {
  secrets?: string[]
  onConflict?: ConflictPolicy
  exitCode: number
}

const PROMOTE_CASES: PromoteCase[] = [
  {label: 'a clean copy', exitCode: 0},
  {label: 'a --secret missing from the source', secrets: ['NEW', 'NOPE'], exitCode: 3},
  {label: 'a conflict', seed: async (store) => void (await store.put('/p/to/NEW', value('other'), {overwrite: true})), exitCode: 4},
  {label: 'a conflict skipped', onConflict: 'skip', seed: async (store) => void (await store.put('/p/to/NEW', value('other'), {overwrite: true})), exitCode: 0},
  {label: 'a target scheduled for deletion', seed: scheduled('/p/to/NEW'), exitCode: 4},
]

describe('promote: hints and summaries by mode', () => {
  it.each(PROMOTE_CASES.flatMap((kase) => [true, false].map((dryRun) => ({...kase, dryRun}))))('$label (dry run: $dryRun)', async ({seed, secrets, onConflict, exitCode, dryRun}) => {
    const store = new MemoryStore()
    await store.put('/p/from/NEW', value('new'), {overwrite: true})
    await seed?.(store)
    const prepared = await preparePromotion(store, {from: Scope.parse('p/from'), to: Scope.parse('p/to'), secrets, onConflict: onConflict ?? 'fail'})
    const report = dryRun || prepared.blocked || prepared.toWrite === 0 ? prepared.planned(dryRun) : await prepared.execute()
    expect(report.exitCode).toBe(exitCode)
    const text = `${report.summary}\n${report.hint ?? ''}`
    expect(text).not.toMatch(dryRun ? PAST : CONDITIONAL)
    expect(unknownFlags('promote', text)).toEqual([])
  })
})
