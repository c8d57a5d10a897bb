/**
 * `npm run bench:scan [-- REAL_TREE]`: `secrets scan` at monorepo scale, on a generated tree shaped like
 * aws-samples/serverless-patterns (about 13,700 files: 900 pattern folders with their SAM,
 * CloudFormation, Terraform and Serverless templates, sources and docs; a vendored SDK data folder of
 * 2,000 JSON files, about 90 MB; a node_modules), and on a real tree when its folder is given (kept
 * outside the clone; see docs/PERFORMANCE.md for how to get the one measured there).
 *
 * Prints a table, writes bench/results/scan-monorepo.json and rewrites the block of
 * docs/PERFORMANCE.md between its scan-monorepo markers. Targets are judged here, never in tests.
 * BENCH_TREE_ONLY=DIR only writes the generated tree to DIR (to profile a scan by hand); BENCH_RUNS
 * (default 3) sets the repetitions.
 */
import {spawnSync} from 'node:child_process'
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {cpus, loadavg, tmpdir, totalmem} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {renderTable} from '../src/ui/table.js'
import {scrubbedEnv} from '../test/helpers/emulator.js'
import {type Command, measure, median, type Run} from './runs.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const BIN = `${ROOT}bin/run.js`
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const REAL_TREE = process.argv[2]


const round = (value: number, digits = 0) => Number(value.toFixed(digits))
const env = {...scrubbedEnv(), AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_ENDPOINT_URL: 'http://127.0.0.1:9'}
const scan = (...args: string[]): Command => ({argv: [process.execPath, BIN, 'scan', ...args], env, okExit: [0, 2, 7]})

async function put(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), {recursive: true})
  await writeFile(path, text)
}

const fixture = (name: string) => readFile(`${ROOT}test/fixtures/scan/${name}`, 'utf8')

/** One model file of an SDK's data folder: operations and shapes, "Resources" only deep inside. */
function sdkModel(service: number, shapes: number): string {
  const model = {
    version: '2.0',
    metadata: {apiVersion: '2016-11-15', endpointPrefix: `svc${service}`, protocol: 'json', serviceId: `Service ${service}`},
    operations: Object.fromEntries(Array.from({length: Math.ceil(shapes / 4)}, (_, i) => [`Operation${i}`, {name: `Operation${i}`, http: {method: 'POST', requestUri: '/'}, input: {shape: `Shape${i}`}}])),
    shapes: Object.fromEntries(
      Array.from({length: shapes}, (_, i) => [
        `Shape${i}`,
        {type: 'structure', members: {Resources: {shape: 'ResourceIdList', documentation: '<p>The IDs of the resources, separated by spaces.</p>'}, Tags: {shape: 'TagList'}}},
      ]),
    ),
  }
  return JSON.stringify(model, undefined, 2)
}

interface TreeShape {
  files: number
  templates: {sam: number; cloudformation: number; terraform: number; serverless: number}
  vendoredJsonFiles: number
  vendoredJsonMb: number
}

/**
 * The generated tree: 511 SAM, 39 CloudFormation, 112 Terraform folders (main.tf, variables.tf,
 * outputs.tf: 336 .tf files) and 18 Serverless patterns, each with its sources, docs and sample
 * events; 2,000 SDK model files (one of 2.9 MB); 500 files under node_modules.
 */
async function generateTree(root: string): Promise<TreeShape> {
  const [sam, cloudformation, terraform, serverless] = await Promise.all([fixture('sam/template.yaml'), fixture('cloudformation/stack.yml'), fixture('terraform/main.tf'), fixture('serverless/serverless.yml')])
  let files = 0
  const write = async (path: string, text: string) => {
    await put(join(root, path), text)
    files++
  }

  const kinds = [
    ...Array.from({length: 511}, () => 'sam'),
    ...Array.from({length: 39}, () => 'cloudformation'),
    ...Array.from({length: 112}, () => 'terraform'),
    ...Array.from({length: 18}, () => 'serverless'),
  ]
  for (const [index, kind] of kinds.entries()) {
    const dir = `pattern-${String(index).padStart(3, '0')}-${kind}`
    if (kind === 'sam') await write(`${dir}/template.yaml`, sam)
    if (kind === 'cloudformation') await write(`${dir}/template.yml`, cloudformation)
    if (kind === 'serverless') await write(`${dir}/serverless.yml`, serverless)
    if (kind === 'terraform') {
      await write(`${dir}/main.tf`, terraform)
      await write(`${dir}/variables.tf`, 'variable "region" {\n  type    = string\n  default = "us-east-1"\n}\n')
      await write(`${dir}/outputs.tf`, 'output "function_arn" {\n  value = aws_lambda_function.api.arn\n}\n')
    }

    await write(`${dir}/README.md`, `# Pattern ${index}\n\nDeploy with the tool of the pattern.\n`.repeat(20))
    await write(`${dir}/example-pattern.json`, JSON.stringify({title: `Pattern ${index}`, description: 'An example', language: 'Node.js', level: '200', framework: kind, services: {from: 'apigw', to: 'lambda'}}, undefined, 2))
    await write(`${dir}/events/event.json`, JSON.stringify({body: '{"id": 1}', headers: {'content-type': 'application/json'}, requestContext: {stage: 'prod'}}, undefined, 2))
    await write(`${dir}/src/package.json`, JSON.stringify({name: `pattern-${index}`, version: '1.0.0', dependencies: {'@aws-sdk/client-dynamodb': '^3.0.0'}}, undefined, 2))
    await write(`${dir}/src/requirements.txt`, 'boto3==1.35.0\naws-lambda-powertools==3.0.0\n')
    await write(`${dir}/LICENSE`, 'MIT No Attribution\n'.repeat(10))
    await write(`${dir}/.gitignore`, 'node_modules\n.aws-sam\n')
    for (let j = 0; j < 8; j++) await write(`${dir}/src/handler${j}.js`, `export const handler${j} = async (event) => ({statusCode: 200, body: JSON.stringify(event)})\n`.repeat(15))
  }

  // A vendored SDK's data folder, as a Lambda layer commits it (not under a folder scan skips by name).
  let vendoredBytes = 0
  for (let service = 0; service < 2000; service++) {
    const text = sdkModel(service, service === 0 ? 9000 : 125)
    vendoredBytes += text.length
    await write(`lambda-layer-pattern/layer/python/botocore/data/service-${service}/2016-11-15/service-2.json`, text)
  }

  for (let i = 0; i < 1000; i++) await write(`node_modules/dep-${i % 50}/file-${i}.json`, JSON.stringify({name: `dep-${i}`}))
  return {files, templates: {sam: 511, cloudformation: 39, terraform: 336, serverless: 18}, vendoredJsonFiles: 2000, vendoredJsonMb: round(vendoredBytes / 1e6, 1)}
}

interface ScanJson {
  templates: unknown[]
  findings: unknown[]
  unparsable: unknown[]
  skipped: unknown[]
  files: {seen: number}
}

function scanOnce(command: Command): ScanJson {
  const result = spawnSync(command.argv[0], [...command.argv.slice(1), '--json'], {env: command.env, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024})
  return JSON.parse(result.stdout) as ScanJson
}

const wall = (runs: Run[]) => round(median(runs.map((run) => run.wall_ms)))
const peakMb = (runs: Run[]) => round(Math.max(...runs.map((run) => run.max_rss_kb)) / 1024, 1)

async function main(): Promise<void> {
  spawnSync('npm', ['run', 'build'], {cwd: ROOT, stdio: 'ignore'})
  const work = await mkdtemp(join(tmpdir(), 'secrets-bench-monorepo-'))
  const report: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: {cpus: cpus().length, memoryGiB: round(totalmem() / 2 ** 30, 1), node: process.version, loadAverage: loadavg()[0].toFixed(2)},
  }
  try {
    const tree = join(work, 'tree')
    const shape = await generateTree(tree)
    const terraformBatch = join(work, 'terraform')
    const terraform = await fixture('terraform/main.tf')
    for (let i = 0; i < 300; i++) await put(join(terraformBatch, `m${i}`, 'main.tf'), terraform)
    await put(join(work, 'one', 'main.tf'), terraform)

    const runs = await measure(
      {
        tree: scan(tree),
        vendored: scan(join(tree, 'lambda-layer-pattern')),
        terraform300: scan(terraformBatch),
        terraform1: scan(join(work, 'one', 'main.tf')),
        node: {argv: [process.execPath, '-e', '0'], env},
      },
      RUNS,
    )
    const whole = scanOnce(scan(tree))
    const perTerraformFile = (wall(runs.terraform300) - wall(runs.terraform1)) / 299
    const rows: Record<string, unknown>[] = [
      {
        measure: 'generated tree, whole',
        files: shape.files,
        filesSeen: whole.files.seen,
        templatesFound: whole.templates.length,
        findings: whole.findings.length,
        unparsable: whole.unparsable.length,
        wallMs: wall(runs.tree),
        cpuMs: round(median(runs.tree.map((run) => run.cpu_ms))),
        peakRssMb: peakMb(runs.tree),
        target: 'at most 10,000 ms and 250 MB',
        met: wall(runs.tree) <= 10_000 && peakMb(runs.tree) <= 250 ? 'yes' : 'NO',
      },
      {measure: `its vendored SDK data (${shape.vendoredJsonFiles} JSON files, ${shape.vendoredJsonMb} MB), named`, wallMs: wall(runs.vendored), peakRssMb: peakMb(runs.vendored), target: 'next to nothing', met: ''},
      {measure: 'Terraform, per file in a batch of 300', wallMs: round(perTerraformFile, 1), target: 'at most 20 ms', met: perTerraformFile <= 20 ? 'yes' : 'NO'},
      {
        measure: 'one .tf file, over node -e 0',
        wallMs: wall(runs.terraform1) - wall(runs.node),
        peakRssMb: peakMb(runs.terraform1),
        target: 'at most 400 ms',
        met: wall(runs.terraform1) - wall(runs.node) <= 400 ? 'yes' : 'NO',
      },
    ]
    if (REAL_TREE) {
      const real = await measure({real: scan(REAL_TREE)}, RUNS)
      const output = scanOnce(scan(REAL_TREE))
      rows.push({
        measure: `real tree ${REAL_TREE.split('/').filter(Boolean).at(-1)}`,
        filesSeen: output.files.seen,
        templatesFound: output.templates.length,
        findings: output.findings.length,
        unparsable: output.unparsable.length,
        wallMs: wall(real.real),
        peakRssMb: peakMb(real.real),
        target: 'at most 10,000 ms and 250 MB',
        met: wall(real.real) <= 10_000 && peakMb(real.real) <= 250 ? 'yes' : 'NO',
      })
    }

    report.rows = rows
    report.shape = shape
    process.stdout.write(`${renderTable(Object.keys(rows[0]), rows.map((row) => Object.keys(rows[0]).map((key) => String(row[key] ?? ''))))}\n`)
    await mkdir(`${ROOT}bench/results`, {recursive: true})
    await writeFile(`${ROOT}bench/results/scan-monorepo.json`, `${JSON.stringify(report, undefined, 2)}\n`)
    await updateDoc(report, rows)
  } finally {
    await rm(work, {recursive: true, force: true})
  }
}

/** Rewrites the block between the scan-monorepo markers of docs/PERFORMANCE.md. */
async function updateDoc(report: Record<string, unknown>, rows: Record<string, unknown>[]): Promise<void> {
  const file = `${ROOT}docs/PERFORMANCE.md`
  const doc = await readFile(file, 'utf8')
  const start = '<!-- scan-monorepo:start -->'
  const end = '<!-- scan-monorepo:end -->'
  if (!doc.includes(start) || !doc.includes(end)) return
  const headers = [...new Set(rows.flatMap((row) => Object.keys(row)))]
  const machine = report.machine as Record<string, unknown>
  const block = [
    start,
    `Run of ${(report.date as string).slice(0, 16).replace('T', ' ')} UTC on ${machine.cpus} cores, Node ${machine.node}, load average ${machine.loadAverage} at the start; medians of ${RUNS} interleaved runs.`,
    '',
    `| ${headers.join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${headers.map((key) => String(row[key] ?? '')).join(' | ')} |`),
    end,
  ].join('\n')
  await writeFile(file, doc.slice(0, doc.indexOf(start)) + block + doc.slice(doc.indexOf(end) + end.length))
}

// BENCH_TREE_ONLY=DIR writes the generated tree there and stops, to profile or time a scan by hand.
if (process.env.BENCH_TREE_ONLY) console.log(await generateTree(process.env.BENCH_TREE_ONLY))
else await main()
