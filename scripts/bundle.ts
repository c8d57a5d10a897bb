/**
 * Bundles the CLI with esbuild for a fast cold start (see docs/PERFORMANCE.md):
 *
 * - dist/cli.cjs: oclif and the entry. `--version` and `--help` evaluate only what running oclif needs;
 *   the rest of it (parser, flags, the Command class) when a command bundle first requires it.
 * - dist/commands/<id>.cjs: one bundle per command (ours, and the help and autocomplete commands of
 *   oclif's plugins) with the code it imports, except @oclif/core, which bin/run.js hands over from
 *   cli.cjs so every command shares one oclif, and the shared packages below.
 * - dist/lib/<package>.cjs: one bundle per AWS SDK client and secretlint package. A command requires
 *   them by name and bin/run.js links each to its bundle when it is first required, so a command's
 *   bundle holds only its own code, and a run loads only the clients it calls (`restore` never holds
 *   the Lambda client, `--help` none).
 *
 * bin/run.js compiles each bundle with a V8 code cache (bin/load-bundle.cjs). Dynamic imports become
 * lazy requires inside a bundle: they cost nothing until a command uses them, and a script restored
 * from a V8 code cache cannot run a real import() on Node 20.
 */
import {createHash} from 'node:crypto'
import {appendFile, mkdir, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import {dirname} from 'node:path'
import {fileURLToPath} from 'node:url'
import {gunzipSync} from 'node:zlib'

import {build, type BuildOptions, type Plugin} from 'esbuild'

const root = fileURLToPath(new URL('..', import.meta.url))
const commandFiles = (await readdir(`${root}src/commands`)).filter((file) => file.endsWith('.ts')).sort()

/** Commands of the bundled plugins, by file path (their packages' `exports` hide deep imports). */
const pluginCommands: Record<string, string> = {
  help: `${root}node_modules/@oclif/plugin-help/lib/commands/help.js`,
  autocomplete: `${root}node_modules/@oclif/plugin-autocomplete/lib/commands/autocomplete/index.js`,
  'autocomplete:create': `${root}node_modules/@oclif/plugin-autocomplete/lib/commands/autocomplete/create.js`,
  'autocomplete:script': `${root}node_modules/@oclif/plugin-autocomplete/lib/commands/autocomplete/script.js`,
}
const commands: Record<string, string> = {
  ...Object.fromEntries(commandFiles.map((file) => [file.replace(/\.ts$/, ''), `${root}src/commands/${file}`])),
  ...pluginCommands,
}

/**
 * Packages bundled once each in dist/lib/ instead of into every command that might reach them: the AWS
 * SDK clients (src/aws/clients.ts can build any of them, so a command bundle would otherwise hold all
 * six) and secretlint (reached through the secrets.yml check). Command bundles require them by name.
 */
const packageJson = JSON.parse(await readFile(`${root}package.json`, 'utf8')) as {dependencies: Record<string, string>}
const sharedPackages = Object.keys(packageJson.dependencies).filter((name) => /^@aws-sdk\/client-|^@secretlint\//.test(name)).sort()
/** `@aws-sdk/client-ssm` is bundled as dist/lib/aws-sdk-client-ssm.cjs. */
const libFile = (name: string) => `lib/${name.replace(/^@/, '').replaceAll('/', '-')}.cjs`

/**
 * Each AWS SDK client package announces itself on `DEBUG=secrets:aws` when its module initialises:
 * the tests prove with it that `--help` and `--version` never load the SDK.
 */
const traceSdkLoads: Plugin = {
  name: 'trace-sdk-loads',
  setup(pluginBuild) {
    pluginBuild.onLoad({filter: /[/\\]@aws-sdk[/\\]client-[\w-]+[/\\]dist-es[/\\]index\.js$/}, async (args) => {
      const name = /@aws-sdk[/\\](client-[\w-]+)/.exec(args.path)?.[1] ?? 'client'
      const source = await readFile(args.path, 'utf8')
      return {
        contents: `import __secretsTrace from 'debug';\n__secretsTrace('secrets:aws')('loading @aws-sdk/${name}');\n${source}`,
        loader: 'js',
        resolveDir: dirname(args.path),
      }
    })
  },
}

/**
 * oclif sorts a plugin's commands with String#localeCompare at every start, and the first call of it
 * initialises ICU's collator: 6 to 13 ms of a 60 ms `--version` on Node 22. Command ids are ASCII
 * (lowercase words and colons), which code-unit order sorts as the collator does. The build fails if an
 * oclif upgrade changes the line, so the patch is never silently lost.
 */
const sortCommandsByCodeUnit: Plugin = {
  name: 'sort-commands-by-code-unit',
  setup(pluginBuild) {
    pluginBuild.onLoad({filter: /[/\\]@oclif[/\\]core[/\\]lib[/\\]config[/\\]plugin\.js$/}, async (args) => {
      const source = await readFile(args.path, 'utf8')
      const sort = '.sort((a, b) => a.id.localeCompare(b.id))'
      if (!source.includes(sort)) throw new Error(`${args.path} no longer sorts commands with ${sort}: review sortCommandsByCodeUnit`)
      return {contents: source.replace(sort, '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))'), loader: 'js'}
    })
  },
}

/**
 * secretlint's core marks every rule's start and end on Node's performance timeline, and its profiler
 * observes each mark and searches every mark before it: the cost grows with the square of the lints
 * of a run (a scan of 800 templates spent 3.6 s of 12 s of CPU there, and the marks were never freed).
 * Nothing here reads that profile, so the bundled profiler's mark does nothing. The build fails if a
 * secretlint upgrade changes the module, so the patch is reviewed, never silently lost.
 */
const quietSecretlintProfiler: Plugin = {
  name: 'quiet-secretlint-profiler',
  setup(pluginBuild) {
    pluginBuild.onLoad({filter: /[/\\]@secretlint[/\\]profiler[/\\]module[/\\]node\.js$/}, async (args) => {
      const source = await readFile(args.path, 'utf8')
      const profiler = 'export const secretLintProfiler = new SecretLintProfiler({'
      if (!source.includes(profiler)) throw new Error(`${args.path} no longer creates its profiler with ${profiler}: review quietSecretlintProfiler`)
      return {
        contents: `export {SecretLintProfiler} from './index.js'\nexport const secretLintProfiler = {mark() {}, getEntries: async () => [], getMeasures: async () => []}\n`,
        loader: 'js',
        resolveDir: dirname(args.path),
      }
    })
  },
}

const common: BuildOptions = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  // CommonJS packages expose `module` builds that bundle with their named exports.
  mainFields: ['module', 'main'],
  supported: {'dynamic-import': false},
  // ESM dependencies that read import.meta.url get their bundle's URL.
  define: {'import.meta.url': '__secretsImportMetaUrl'},
  banner: {js: `const __secretsImportMetaUrl=require('node:url').pathToFileURL(__filename).href;`},
  // oclif reads tsconfig.json through TypeScript only when transpiling sources in development.
  external: ['typescript'],
  legalComments: 'none',
  logLevel: 'warning',
}

// The entry is generated, so a new command file is picked up without editing a list.
await mkdir(`${root}build`, {recursive: true})
await writeFile(
  `${root}build/cli-entry.ts`,
  `// Generated by scripts/bundle.ts.
import {flush} from '@oclif/core/flush'
import {handle} from '@oclif/core/handle'
import {run as runOclif} from '@oclif/core/run'
import {settings} from '@oclif/core/settings'
import createDebug from 'debug'

import {commandNotFound} from '../src/ui/not-found.js'

/**
 * All of oclif, which the command bundles import (Command, Flags, Args, Errors): evaluated when a
 * command's bundle first requires it, so --version and --help evaluate only what running oclif needs
 * (not its parser, flags, command class, nor the Node engine check of its index, which loads semver).
 */
export const loadOclif = (): unknown => require('@oclif/core')

/** Set by bin/run.js: loads a command bundle through the code cache, sharing this oclif. */
declare global {
  var __secretsLoadCommand: ((id: string) => unknown) | undefined
}

/**
 * The packages a command bundle requires by name, and the bundle under dist/ that holds each: bin/run.js
 * links them (see scripts/bundle.ts).
 */
export const LIBS: Record<string, string> = ${JSON.stringify(Object.fromEntries(sharedPackages.map((name) => [name, libFile(name)])))}

/** A command's bundle file: ids like autocomplete:create become autocomplete-create.cjs. */
export const commandFile = (id: string) => id.replaceAll(':', '-') + '.cjs'
const load = (id: string) => globalThis.__secretsLoadCommand?.(id) ?? require(__dirname + '/commands/' + commandFile(id)).default
/**
 * Getters, so a command's bundle is loaded only when that command runs; oclif reads ids, flags and
 * help from oclif.manifest.json, not from these classes.
 */
export const COMMANDS = {
${Object.keys(commands)
  .map((id) => `  get ${JSON.stringify(id)}() {\n    return load(${JSON.stringify(id)})\n  },`)
  .join('\n')}
}

/** Runs the CLI as oclif's execute() does: run, flush, and turn errors into exit codes. */
export async function run(argv: string[], root: string): Promise<void> {
  settings.enableAutoTranspile = false
  // oclif traces argv in these two namespaces, and a value typed as an argument by mistake must not
  // reach a debug trace: they stay off whatever DEBUG asks for.
  if (process.env.DEBUG) createDebug.enable(\`\${process.env.DEBUG},-oclif:main,-oclif:config\`)
  try {
    // No user, linked or dev plugins: everything this CLI runs is in its bundles. oclif would load a
    // plugin's ES modules with import(), which the bundle turns into a require() of a file URL.
    await runOclif(argv, {root, userPlugins: false, devPlugins: false})
    await flush()
  } catch (error) {
    // "command X not found" (and help's "Command X not found.") quotes X, which may be a value pasted where the command belongs.
    if (error instanceof Error && /^command .* not found\\.?$/is.test(error.message)) return notFound(argv[0] === 'help' ? argv.slice(1) : argv)
    await handle(error as Error)
  }
}

function notFound(argv: string[]): void {
  const failure = commandNotFound(argv[0] ?? '', Object.keys(COMMANDS), 'secrets')
  const document = {error: {code: failure.code, message: failure.message, exitCode: failure.exitCode, hint: failure.hint}}
  if (argv.includes('--json')) process.stdout.write(JSON.stringify(document, null, 2) + '\\n')
  else process.stderr.write(\`Error: \${failure.message}\\nHint: \${failure.hint}\\n\`)
  process.exitCode = failure.exitCode
}
`,
)

await rm(`${root}dist`, {recursive: true, force: true})
await build({
  ...common,
  entryPoints: [`${root}build/cli-entry.ts`],
  outfile: `${root}dist/cli.cjs`,
  plugins: [sortCommandsByCodeUnit],
})
await build({
  ...common,
  entryPoints: Object.entries(commands).map(([id, path]) => ({in: path, out: id.replaceAll(':', '-')})),
  outdir: `${root}dist/commands`,
  outExtension: {'.js': '.cjs'},
  external: [...(common.external ?? []), '@oclif/core', ...sharedPackages],
})
// scan's HCL parser (src/services/hcl-parser.ts) runs @cdktf/hcl2json's WebAssembly in a worker thread,
// with Go's runtime for it: dist/lib/hcl-go-runtime.cjs and dist/hcl2json.wasm. The package ships the
// module zipped (1.7 MB); unzipped here once, not at every start (70 ms of CPU). The runtime requires a
// `performance` package only where globalThis.performance is missing (never on Node 20+).
await mkdir(`${root}dist/lib`, {recursive: true})
await writeFile(`${root}dist/hcl2json.wasm`, gunzipSync(await readFile(`${root}node_modules/@cdktf/hcl2json/main.wasm.gz`)))
await build({...common, entryPoints: [`${root}node_modules/@cdktf/hcl2json/wasm/bridge_wasm_exec.js`], outfile: `${root}dist/lib/hcl-go-runtime.cjs`, external: [...(common.external ?? []), 'performance']})
// One self-contained bundle per shared package. `require` (not `export *`) keeps a default export.
await mkdir(`${root}build/lib`, {recursive: true})
for (const name of sharedPackages) {
  const entry = `${root}build/${libFile(name)}`
  await writeFile(entry, `// Generated by scripts/bundle.ts.\nmodule.exports = require(${JSON.stringify(name)})\n`)
  await build({...common, entryPoints: [entry], outfile: `${root}dist/${libFile(name)}`, plugins: [traceSdkLoads, quietSecretlintProfiler], external: [...(common.external ?? []), 'performance']})
}
// scan's worker for large YAML and JSON files (src/services/large-file-scan.ts): self-contained, as a
// worker thread has none of bin/run.js's links to the shared bundles.
await build({...common, entryPoints: [`${root}src/services/scan-file-worker.ts`], outfile: `${root}dist/lib/scan-file-worker.cjs`, plugins: [quietSecretlintProfiler]})
await writeFile(
  `${root}dist/commands.cjs`,
  `// oclif's explicit command discovery: the getters of the bundle bin/run.js already loaded, or the
// bundle itself when oclif tooling (the manifest generator) asks.
exports.COMMANDS = globalThis.__secretsCommands ?? require('./cli.cjs').COMMANDS\n`,
)

// Each bundle's last line is the SHA-256 of the rest: bin/load-bundle.cjs names its code cache with it,
// so a cache never meets the code of another build, without hashing anything at start-up.
for (const file of ['cli.cjs', ...(await readdir(`${root}dist/commands`)).map((name) => `commands/${name}`), ...(await readdir(`${root}dist/lib`)).map((name) => `lib/${name}`)]) {
  const path = `${root}dist/${file}`
  await appendFile(path, `//# build-id=${createHash('sha256').update(await readFile(path)).digest('hex').slice(0, 16)}\n`)
}
