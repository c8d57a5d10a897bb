/**
 * `npm run evaluate -- <folder>`: runs the built `secrets scan --json` over code nobody here wrote (the
 * peers' own test fixtures and public repositories, kept in <folder>, outside the clone) and over the
 * reproductions of the peers' reported false positives (in this repository), compares its findings with
 * the expected verdicts of bench/detection/expected/*.json, and prints recall and precision per family
 * of mistake and per source. Writes the whole report as JSON to bench/results/detection-latest.json
 * (`--json` prints it on stdout instead of the tables; `--markdown` prints the tables in Markdown).
 *
 * The folder holds one sub-folder per source, named by the source's `folder`; each data file says which
 * repository and commit it expects, and `--setup` prints the commands that recreate every sub-folder
 * (a clone, then only the files the data names). A source whose files are absent is reported as
 * missing and left out of the figures.
 */
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdir, readdir, readFile, writeFile} from 'node:fs/promises'
import {join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

import {renderTable} from '../../src/ui/table.js'
import {type EvaluatedFinding, type Expectation, FAMILIES, FAMILY_TITLES, type Family, type Score, scoreDetection, type Tally, type Verdict} from './score.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const BIN = join(ROOT, 'bin/run.js')
const DATA = join(ROOT, 'bench/detection/expected')
const REPORT = join(ROOT, 'bench/results/detection-latest.json')

/** One data file: a source, where its files come from, and the verdicts file by file. */
interface SourceData {
  source: string
  title: string
  /** `peer-fixtures`, `repository` or `reproductions` (written here, kept in this repository). */
  kind: string
  repository?: string
  commit?: string
  /** Sub-folder of the evaluation folder; absent when `inRepo` is set. */
  folder?: string
  /** Folder of this repository holding the files (the reproductions). */
  inRepo?: string
  /** What was left out, and how the peer's verdicts were read. */
  notes?: string[]
  files: Array<{
    path: string
    /** When the file was taken at a commit of its own (a per-file export). */
    commit?: string
    peer?: string
    expect: Array<{line: number; end?: number; variable?: string; expected: Verdict; accept?: Family[]; peer?: string; reason?: string}>
  }>
}

interface ScanJson {
  findings: Array<{rule: string; file: string; line: number; format?: string; variable?: string}>
  unparsable?: Array<{file: string; line?: number; reason: string}>
}

async function loadSources(): Promise<SourceData[]> {
  const names = (await readdir(DATA)).filter((name) => name.endsWith('.json')).sort()
  return Promise.all(names.map(async (name) => JSON.parse(await readFile(join(DATA, name), 'utf8')) as SourceData))
}

function rootOf(source: SourceData, folder: string | undefined): string | undefined {
  if (source.inRepo) return join(ROOT, source.inRepo)
  return folder === undefined || source.folder === undefined ? undefined : join(folder, source.folder)
}

/** The shell commands that recreate each source's sub-folder: a clone, then only the files the data names. */
function setupText(sources: SourceData[], folder: string): string {
  const lines = [`# Recreate the evaluation folder ${folder}: each source's files at the commit its data names.`]
  for (const source of sources.filter((item) => item.repository && item.folder)) {
    const clone = `${folder}/.clones/${source.folder}`
    const target = `${folder}/${source.folder}`
    lines.push('', `# ${source.source}: ${source.repository}@${source.commit}`)
    lines.push(`git clone --filter=blob:none --no-checkout https://github.com/${source.repository}.git ${clone}`, `mkdir -p ${target}`)
    const whole = source.files.filter((file) => !file.commit).map((file) => `'${file.path}'`)
    if (whole.length > 0) lines.push(`git -C ${clone} archive ${source.commit} -- ${whole.join(' ')} | tar -x -C ${target}`)
    for (const file of source.files.filter((item) => item.commit)) {
      lines.push(`mkdir -p "$(dirname '${target}/${file.path}')" && git -C ${clone} show '${file.commit}:${file.path}' > '${target}/${file.path}'`)
    }
  }

  return lines.join('\n')
}

/** Runs the built CLI over the files of one source, from its folder, so paths stay as the data names them. */
function scan(root: string, paths: string[]): ScanJson {
  const result = spawnSync(process.execPath, [BIN, 'scan', ...paths, '--json'], {cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024})
  // 0: no finding; 7: findings at or above --fail-on; 2: a file was not parsed (still a full report).
  if (![0, 2, 7].includes(result.status ?? -1)) throw new Error(`scan exited ${result.status} in ${root}: ${result.stderr.slice(-500)}`)
  return JSON.parse(result.stdout) as ScanJson
}

const percent = (value: number | null) => (value === null ? '-' : `${(value * 100).toFixed(0)} %`)
const row = (label: string, item: Tally) => [
  label,
  String(item.truePositives + item.falseNegatives),
  String(item.truePositives),
  String(item.falseNegatives),
  String(item.falsePositives),
  percent(item.recall),
  percent(item.precision),
]
const HEADERS = ['', 'expected', 'found', 'missed', 'false alarms', 'recall', 'precision']

/** `--markdown` prints the tables as docs/DETECTION.md shows them. */
const MARKDOWN = process.argv.includes('--markdown')
function table(headers: string[], rows: string[][]): string {
  if (!MARKDOWN) return renderTable(headers, rows)
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`
  return [line(headers), line(headers.map(() => '---')), ...rows.map((cells) => line(cells))].join('\n')
}

/** What the data says on a false alarm's line; the same family there means it named another variable. */
const describeVerdict = (alarm: Score['falseAlarms'][number]) =>
  alarm.onVerdict === undefined ? '(no entry)' : alarm.onVerdict === alarm.family ? `${alarm.onVerdict}, another variable` : alarm.onVerdict

function printScore(score: Score, sources: SourceData[], missing: string[], unparsable: string[]): void {
  console.log('\nPer family (every source)\n')
  console.log(table(HEADERS, [...FAMILIES.map((family) => row(FAMILY_TITLES[family], score.byFamily[family])), row('all', score.total)]))
  console.log('\nPer source\n')
  const titled = sources.filter((source) => score.bySource[source.source])
  console.log(table(HEADERS, titled.map((source) => row(source.source, score.bySource[source.source].total))))
  console.log('\nPer source and family (rows with something expected or reported)\n')
  const pairs = titled.flatMap((source) =>
    FAMILIES.map((family) => ({label: `${source.source}: ${family}`, item: score.bySource[source.source].byFamily[family]})).filter(
      ({item}) => item.truePositives + item.falseNegatives + item.falsePositives > 0,
    ),
  )
  console.log(table(HEADERS, pairs.map(({label, item}) => row(label, item))))
  console.log(
    `\nPeer negatives (clean or out of scope): ${score.peerNegatives.lines} lines, ${score.peerNegatives.reported} reported.` +
      ` Findings outside the data: ${score.outsideData}; on lines where either answer is right: ${score.ignored}.`,
  )
  if (score.misses.length > 0) {
    console.log('\nMissed\n')
    console.log(table(['source', 'file', 'line', 'family', 'variable'], score.misses.map((miss) => [miss.source, miss.path, String(miss.line), miss.expected, miss.variable ?? ''])))
  }

  if (score.falseAlarms.length > 0) {
    console.log('\nFalse alarms\n')
    console.log(
      table(
        ['source', 'file', 'line', 'rule', 'variable', 'data says'],
        score.falseAlarms.map((alarm) => [alarm.source, alarm.path, String(alarm.line), alarm.rule, alarm.variable ?? '', describeVerdict(alarm)]),
      ),
    )
  }

  for (const line of unparsable) console.log(`not parsed: ${line}`)
  for (const line of missing) console.log(`missing: ${line}`)
}

/** The commit checked out, and the last one that changed the code scan runs (src/, bin/): the figures belong to the latter. */
function gitCommits(): {commit: string; sourceCommit: string} {
  const git = (...args: string[]) => {
    const result = spawnSync('git', args, {cwd: ROOT, encoding: 'utf8'})
    return result.status === 0 ? result.stdout.trim() : 'unknown'
  }

  return {commit: git('rev-parse', '--short', 'HEAD'), sourceCommit: git('log', '-1', '--format=%h', '--', 'src', 'bin')}
}

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  const asJson = args.includes('--json')
  const positional = args.filter((arg) => !arg.startsWith('--'))
  const folder = positional[0] === undefined ? undefined : resolve(positional[0])
  const sources = await loadSources()

  if (args.includes('--setup') || folder === undefined) {
    const shown = folder ?? '/path/to/eval'
    if (folder === undefined) console.error('Usage: npm run evaluate -- <folder> [--json | --markdown] [--setup]\n')
    console.log(setupText(sources, shown))
    if (folder === undefined) process.exitCode = 2
    return
  }

  if (!existsSync(join(BIN, '..', '..', 'dist', 'cli.cjs'))) throw new Error('dist/ is missing: run `npm run build` first.')

  const expectations: Expectation[] = []
  const findings: EvaluatedFinding[] = []
  const missing: string[] = []
  const unparsable: string[] = []
  for (const source of sources) {
    const root = rootOf(source, folder)
    const paths = source.files.map((file) => file.path)
    const absent = root === undefined ? paths : paths.filter((path) => !existsSync(join(root, path)))
    if (absent.length > 0) {
      missing.push(`${source.source} (${absent.length} of ${paths.length} files; expects ${source.repository ?? 'this repository'}@${source.commit ?? 'HEAD'}): see --setup`)
      continue
    }

    for (const file of source.files) {
      for (const item of file.expect) {
        expectations.push({source: source.source, path: file.path, ...item, ...(item.peer ?? file.peer ? {peer: item.peer ?? file.peer} : {})})
      }
    }

    const report = scan(root!, paths)
    for (const item of report.findings) {
      findings.push({source: source.source, path: item.file, line: item.line, rule: item.rule, ...(item.format ? {format: item.format} : {}), ...(item.variable ? {variable: item.variable} : {})})
    }

    for (const item of report.unparsable ?? []) unparsable.push(`${source.source}: ${item.file}: ${item.reason}`)
  }

  const score = scoreDetection(expectations, findings)
  const report = {
    date: new Date().toISOString(),
    ...gitCommits(),
    folder,
    sources: sources.map(({source, title, kind, repository, commit, folder: sub, inRepo}) => ({source, title, kind, repository, commit, folder: sub, inRepo})),
    missing,
    unparsable,
    families: FAMILIES.map((family: Family) => ({family, title: FAMILY_TITLES[family]})),
    ...score,
  }
  await mkdir(join(ROOT, 'bench/results'), {recursive: true})
  await writeFile(REPORT, `${JSON.stringify(report, null, 2)}\n`)
  if (asJson) console.log(JSON.stringify(report, null, 2))
  else {
    console.log(
      `Detection on code nobody here wrote: commit ${report.commit} (scan's code as of ${report.sourceCommit}), ${report.date.slice(0, 16).replace('T', ' ')} UTC`,
    )
    printScore(score, sources, missing, unparsable)
    console.log(`\nReport: ${REPORT}`)
  }
}

await main()
