/**
 * The declared-needs manifest (`secrets.yml`): which function needs which secrets of one service.
 *
 * ```yaml
 * service: api
 * functions:
 *   checkout: [DB_PASS, STRIPE_KEY]
 *   worker:   [DB_PASS]
 *   billing:                        # with the runtime `grant --runtime` wires (issue 17)
 *     runtime: python
 *     secrets: [STRIPE_KEY, "DB:password"]   # NAME:FIELD, a field of a key/value secret
 * tasks:                            # ECS task definition families, granted on their task roles
 *   web: [DB_PASS]
 * ```
 *
 * Pure: text in, a checked manifest out. Every error names the file and line, and exits 2. Each
 * top-level section has one reader in SECTION_READERS; a new section (such as `environments:`) is one
 * more entry there, and anything not listed is refused so a typo never silently grants nothing.
 *
 * The `environments:` section lives in project-config.ts, a function's map form in
 * needs-function-entry.ts, and what a YAML error code means in yaml-problems.ts.
 */
import {isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLMap} from 'yaml'

import {partProblem, Scope, SecretAddress} from './address.js'
import {SecretsError, UsageError} from './errors.js'
import {functionNameProblem, taskFamilyProblem} from './iam-policy.js'
import type {Runtime} from './runtime-snippets.js'
import {functionEntry} from './needs-function-entry.js'
import {parseSecretSpec} from './runtime-wiring.js'
import {yamlProblem} from './yaml-problems.js'
import {type EnvironmentEntry, PROJECT_FILE, readEnvironments} from './project-config.js'

/** The declared needs live in the project file. */
export const DEFAULT_MANIFEST_FILE = PROJECT_FILE

/** A secret a function declares, with where it was declared. */
export interface DeclaredSecret {
  name: string
  line: number
  /** Fields of a key/value secret the function reads (`DB:password`); empty: the whole value. */
  fields: string[]
}

export interface DeclaredFunction {
  name: string
  line: number
  secrets: DeclaredSecret[]
  /** `runtime:` of the function's map form, for `grant --runtime`. */
  runtime?: Runtime
}

export interface NeedsManifest {
  /** The file name used in messages. */
  file: string
  service: string
  functions: DeclaredFunction[]
  /** ECS task definition families, each with the secrets its task role reads. */
  tasks: DeclaredFunction[]
  /** The project file's `environments:` section (issue 9), when present. */
  environments?: EnvironmentEntry[]
}

/** The project file read for its environments: service and functions are optional there. */
export interface ProjectFile {
  file: string
  service?: string
  functions?: DeclaredFunction[]
  tasks?: DeclaredFunction[]
  environments: EnvironmentEntry[]
}

/** A manifest resolved for one environment: every declared secret as a checked address. */
export interface ResolvedNeeds {
  scope: Scope
  functions: ResolvedWorkload[]
  tasks: ResolvedWorkload[]
}

/** A declared function or task family, its secrets as addresses of the environment. */
export interface ResolvedWorkload {
  functionName: string
  secrets: SecretAddress[]
  fields: Map<string, string[]>
  runtime?: Runtime
}

/** A manifest problem, located: `secrets.yml:4: ...`. Exit 2, like every invalid input. */
export class ManifestError extends UsageError {
  constructor(
    readonly file: string,
    readonly line: number,
    problem: string,
    hint?: string,
  ) {
    super(`${file}:${line}: ${problem}`, hint)
  }
}

interface ReadContext {
  file: string
  lineOf(node: Node | null | undefined): number
  error(line: number, problem: string, hint?: string): ManifestError
  /** Sections read so far; a reader may depend on an earlier one (functions on service). */
  manifest: Partial<Omit<NeedsManifest, 'file'>>
}

type SectionReader = (value: Node | null, context: ReadContext, keyLine: number) => void

/**
 * Top-level sections, in the order they are read. The only list of allowed keys; `environments:`
 * (per-environment accounts, roles and regions) is read by src/core/project-config.ts.
 */
const SECTION_READERS = {
  service: readService,
  functions(value, context, keyLine) {
    context.manifest.functions = readWorkloads('function', value, context, keyLine)
  },
  tasks(value, context, keyLine) {
    context.manifest.tasks = readWorkloads('task', value, context, keyLine)
  },
  environments(value, context, keyLine) {
    context.manifest.environments = readEnvironments(value, context, keyLine)
  },
} satisfies Record<string, SectionReader>

type SectionName = keyof typeof SECTION_READERS
/** Sections that must be present (and functions:, tasks: or both). */
const REQUIRED_SECTIONS: readonly SectionName[] = ['service']

export const MANIFEST_SECTIONS = Object.keys(SECTION_READERS) as SectionName[]

/** Parses and checks a manifest; `file` only names it in messages. */
export function parseNeedsManifest(text: string, file = DEFAULT_MANIFEST_FILE): NeedsManifest {
  const manifest = parseSections(text, file, REQUIRED_SECTIONS)
  if (manifest.functions === undefined && manifest.tasks === undefined) throw new ManifestError(file, 1, 'missing the functions: section (or tasks:).', exampleHint())
  return {
    file,
    service: manifest.service ?? '',
    functions: manifest.functions ?? [],
    tasks: manifest.tasks ?? [],
    ...(manifest.environments ? {environments: manifest.environments} : {}),
  }
}

/**
 * Parses the same file for its environments (every section is checked, none is required), so one
 * `secrets.yml` serves both grant's declared needs and every command's AWS placement.
 */
export function parseProjectFile(text: string, file = DEFAULT_MANIFEST_FILE): ProjectFile {
  const manifest = parseSections(text, file, [])
  return {file, service: manifest.service, functions: manifest.functions, tasks: manifest.tasks, environments: manifest.environments ?? []}
}

function parseSections(text: string, file: string, required: readonly SectionName[]): ReadContext['manifest'] {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, {lineCounter, prettyErrors: true, uniqueKeys: true})
  const lineOf = (node: Node | null | undefined) => (node?.range ? lineCounter.linePos(node.range[0]).line : 1)
  const [syntax] = doc.errors
  if (syntax) {
    const line = syntax.linePos?.[0].line ?? 1
    const what = syntax.code === 'MULTIPLE_DOCS'
      ? 'the file holds more than one YAML document (a "---" separator); a manifest is one document.'
      : `invalid YAML at column ${syntax.linePos?.[0].col ?? 1}: ${yamlProblem(syntax.code)}.`
    throw new ManifestError(file, line, what)
  }

  const root = doc.contents
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) {
    throw new ManifestError(file, 1, 'the manifest is empty.', exampleHint())
  }

  if (!isMap(root)) throw new ManifestError(file, lineOf(root), 'expected a mapping with service: and functions:.', exampleHint())

  const context: ReadContext = {file, lineOf, manifest: {}, error: (line, problem, hint) => new ManifestError(file, line, problem, hint)}
  const sections = topLevelSections(root, context)
  for (const name of MANIFEST_SECTIONS) {
    const section = sections.get(name)
    if (section) {
      SECTION_READERS[name](section.value, context, section.line)
    } else if (required.includes(name)) {
      throw new ManifestError(file, 1, `missing the ${name}: section.`, exampleHint())
    }
  }

  return context.manifest
}

function topLevelSections(root: YAMLMap, context: ReadContext): Map<string, {value: Node | null; line: number}> {
  const sections = new Map<string, {value: Node | null; line: number}>()
  for (const pair of root.items) {
    const keyNode = pair.key as Node | null
    const key = isScalar(keyNode) ? String(keyNode.value) : undefined
    const line = context.lineOf(keyNode)
    if (key === undefined || !(MANIFEST_SECTIONS as string[]).includes(key)) {
      throw new ManifestError(
        context.file,
        line,
        `unknown key ${key === undefined ? '(not a plain key)' : `"${key}"`}; a manifest has ${MANIFEST_SECTIONS.map((name) => `${name}:`).join(', ')}.`,
      )
    }

    sections.set(key, {value: pair.value as Node | null, line})
  }

  return sections
}

function readService(value: Node | null, context: ReadContext, keyLine: number): void {
  const line = value ? context.lineOf(value) : keyLine
  if (!isScalar(value) || typeof value.value !== 'string') {
    throw new ManifestError(context.file, line, 'service: must be one service name, for example "service: api".')
  }

  const problem = partProblem('service', value.value)
  if (problem) throw new ManifestError(context.file, line, `${problem}.`)
  context.manifest.service = value.value
}

/** `functions:` or `tasks:`: each name mapped to the secrets it needs. */
function readWorkloads(kind: 'function' | 'task', value: Node | null, context: ReadContext, keyLine: number): DeclaredFunction[] {
  const {file} = context
  if (!isMap(value) || value.items.length === 0) {
    throw new ManifestError(file, value ? context.lineOf(value) : keyLine, `${kind}s: must map each ${kind} to the secrets it needs.`, exampleHint())
  }

  const service = context.manifest.service ?? ''
  const functions: DeclaredFunction[] = []
  for (const pair of value.items) {
    const keyNode = pair.key as Node | null
    const line = context.lineOf(keyNode)
    // YAML reads keys such as 0o10, 1e3 or 0x1F as numbers: String() would silently rename the function.
    if (isScalar(keyNode) && keyNode.value !== null && typeof keyNode.value !== 'string') {
      throw new ManifestError(file, line, `the ${kind} name ${String(keyNode.source ?? keyNode.value)} is read by YAML as a ${typeof keyNode.value}; quote it.`)
    }

    const name = isScalar(keyNode) ? String(keyNode.value ?? '') : ''
    const nameProblem = kind === 'function' ? functionNameProblem(name) : taskFamilyProblem(name)
    if (nameProblem) throw new ManifestError(file, line, `${nameProblem}.`)
    const {list, runtime} = functionEntry(pair.value as Node | null, name, context, kind)
    if (!isSeq(list) || list.items.length === 0) {
      throw new ManifestError(
        file,
        list ? context.lineOf(list) : line,
        `${kind} "${name}" declares no secrets; list them, for example "${name}: [DB_PASS]".`,
        `A ${kind} that needs no secrets needs no grant: remove it from the manifest.`,
      )
    }

    const secrets: DeclaredSecret[] = []
    const specs = new Set<string>()
    for (const item of list.items as (Node | null)[]) {
      const itemLine = context.lineOf(item ?? list)
      if (!isScalar(item) || typeof item.value !== 'string') {
        throw new ManifestError(file, itemLine, `${kind} "${name}": each secret is a name such as DB_PASS (quote names YAML reads as numbers or booleans).`)
      }

      const spec = item.value
      if (specs.has(spec)) throw new ManifestError(file, itemLine, `${kind} "${name}" lists ${spec} twice.`)
      specs.add(spec)
      let parsed: {name: string; field?: string}
      try {
        parsed = parseSecretSpec(spec)
      } catch (error) {
        throw located(error, file, itemLine)
      }

      checkName(file, itemLine, service, parsed.name)
      const declared = secrets.find((secret) => secret.name === parsed.name) ?? secrets[secrets.push({name: parsed.name, line: itemLine, fields: []}) - 1]
      if (parsed.field !== undefined) declared.fields.push(parsed.field)
    }

    functions.push({name, line, secrets, ...(runtime ? {runtime} : {})})
  }

  return functions
}

/** The foundation's address rules decide; the environment is not known yet, so a stand-in is used. */
function checkName(file: string, line: number, service: string, name: string): void {
  try {
    SecretAddress.of('env', service, name)
  } catch (error) {
    throw located(error, file, line)
  }
}

function located(error: unknown, file: string, line: number): unknown {
  if (!(error instanceof SecretsError)) return error
  return new ManifestError(file, line, error.message.replace(/^Invalid secret address: /, ''), error.hint)
}

/** Every declared secret as an address in `env`, checked again now that the full name is known. */
export function resolveNeeds(manifest: NeedsManifest, env: string): ResolvedNeeds {
  const problem = partProblem('environment', env)
  if (problem) throw new UsageError(`Invalid --env: ${problem}.`)
  const scope = Scope.of(env, manifest.service)
  const resolved = (fn: DeclaredFunction): ResolvedWorkload => ({
    functionName: fn.name,
    ...(fn.runtime ? {runtime: fn.runtime} : {}),
    fields: new Map(fn.secrets.filter((secret) => secret.fields.length > 0).map((secret) => [`${scope.prefix}${secret.name}`, secret.fields])),
    secrets: fn.secrets.map((secret) => {
      try {
        return scope.secret(secret.name)
      } catch (error) {
        throw located(error, manifest.file, secret.line)
      }
    }),
  })
  return {scope, functions: manifest.functions.map(resolved), tasks: manifest.tasks.map(resolved)}
}

function exampleHint(): string {
  return 'Example:\n  service: api\n  functions:\n    checkout: [DB_PASS, STRIPE_KEY]\n    worker: [DB_PASS]'
}
