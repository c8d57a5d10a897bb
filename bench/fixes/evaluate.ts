/**
 * `npm run evaluate:fixes -- <folder>...`: applies every template edit the built `secrets scan --json`
 * prints for an IAM finding in code nobody here wrote (kept outside the clone), and says which held:
 * the edited template has no cfn-lint error the original did not have, a second scan no longer reports
 * the finding, every other action of the statements it replaced is still allowed on the same
 * resources, and the IAM evaluator allows the secrets the edit names and denies one nobody named.
 * A finding without an edit is counted with the reason its fix gives. Writes the report as JSON to
 * bench/results/fixes-latest.json; `--markdown` prints the tables in Markdown.
 */
import {execFile} from 'node:child_process'
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {basename, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {promisify} from 'node:util'

import type {ScanFinding} from '../../src/core/scan/findings.js'
import {renderTable} from '../../src/ui/table.js'
import {evaluate} from '../../test/fixtures/grant-evaluator.js'
import {parseHcl} from '../../src/services/hcl-parser.js'
import {applyEdits, lostActions, secretsAfter, terraformEditProof, terraformFmtErrors} from './proof.js'

const run = promisify(execFile)
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const BIN = join(ROOT, 'bin/run.js')
const REPORT = join(ROOT, 'bench/results/fixes-latest.json')

interface Proof {
  file: string
  format: string
  rule: string
  resource: string
  variable?: string
  /** Why no edit was offered (the fix's own words, up to the colon), or what did not hold. */
  refused?: string
  failed?: string[]
}

async function scan(path: string): Promise<ScanFinding[]> {
  // Exit 7 (findings at or above the threshold) is the expected case: read stdout whatever the code.
  const result = await run('node', [BIN, 'scan', path, '--json'], {maxBuffer: 256 * 1024 * 1024, env: {...process.env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9'}}).catch(
    (error: {stdout: string}) => error,
  )
  return (JSON.parse(result.stdout) as {findings: ScanFinding[]}).findings
}

/** cfn-lint's error rule ids per file, in one run (each start costs seconds). */
async function lintErrors(files: readonly string[]): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>(files.map((file) => [file, new Set<string>()]))
  if (files.length === 0) return out
  const result = await run('cfn-lint', ['--format', 'json', '--', ...files], {maxBuffer: 256 * 1024 * 1024}).catch((error: {stdout: string}) => error)
  for (const match of JSON.parse(result.stdout || '[]') as Array<{Filename: string; Rule: {Id: string}; Level: string}>) {
    if (match.Level !== 'Error') continue
    out.get(resolve(match.Filename))?.add(match.Rule.Id)
  }

  return out
}

const sameFinding = (a: ScanFinding, b: ScanFinding) => a.rule === b.rule && a.resource === b.resource && (a.variable ?? '') === (b.variable ?? '')

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  const markdown = args.includes('--markdown')
  const folders = args.filter((arg) => !arg.startsWith('--')).map((folder) => resolve(folder))
  if (folders.length === 0) throw new Error('usage: npm run evaluate:fixes -- <folder>... [--markdown]')
  const work = await mkdtemp(join(tmpdir(), 'fixes-eval-'))
  const proofs: Proof[] = []
  try {
    const findings = (await Promise.all(folders.map((folder) => scan(folder)))).flat().filter((item) => item.area === 'iam')
    const edited: Array<{finding: ScanFinding; proof: Proof; original: string; copy: string}> = []
    for (const [index, finding] of findings.entries()) {
      const proof: Proof = {file: finding.file, format: finding.format, rule: finding.rule, resource: finding.resource, ...(finding.variable ? {variable: finding.variable} : {})}
      proofs.push(proof)
      if (!finding.fix.edits) {
        proof.refused = finding.fix.change.split(/[:;]/)[0]
        continue
      }

      const text = await readFile(finding.file, 'utf8')
      const dir = join(work, String(index))
      await mkdir(dir)
      const copy = join(dir, basename(finding.file))
      await writeFile(copy, applyEdits(text, finding.fix.edits))
      edited.push({finding, proof, original: resolve(finding.file), copy})
    }

    const cfn = edited.filter((item) => item.finding.format !== 'terraform' && item.finding.format !== 'serverless')
    const before = await lintErrors([...new Set(cfn.map((item) => item.original))])
    const after = await lintErrors(cfn.map((item) => item.copy))
    const terraform = edited.filter((item) => item.finding.format === 'terraform')
    const unformatted = new Set<string>()
    // A file fmt already refused is judged by whether it still parses: fmt's own exit code 2 would say it does not.
    for (const item of terraform) {
      const before = await terraformFmtErrors([item.original])
      const after = await terraformFmtErrors([item.copy])
      if (after.errors && (!before.errors || /Error/.test(after.output))) unformatted.add(item.copy)
    }

    const again = await scan(work)
    for (const {finding, proof, original, copy} of edited) {
      const failed: string[] = []
      const fresh = [...(after.get(copy) ?? [])].filter((id) => !before.get(original)?.has(id))
      if (fresh.length > 0) failed.push(`cfn-lint: ${fresh.join(', ')}`)
      if (unformatted.has(copy)) failed.push('terraform fmt -check fails')
      if (again.some((item) => item.file.startsWith(join(work, '')) && resolve(item.file) === copy && sameFinding(item, finding))) failed.push('reported again')
      const text = await readFile(original, 'utf8')
      for (const edit of finding.fix.edits ?? []) {
        // A Terraform edit rewrites lines: the policy is read back from the edited copy.
        const judged = 'at' in edit ? {lost: lostActions(text, edit), ...(await secretsAfter(text, edit, evaluate))} : await terraformEditProof(original, text, await readFile(copy, 'utf8'), finding.resource, parseHcl, evaluate)
        const {lost, ...secrets} = judged
        if (lost.length > 0) failed.push(`lost ${lost.join(', ')}`)
        if (secrets.denied.length > 0) failed.push(`named but denied: ${secrets.denied.join(', ')}`)
        if (secrets.otherAllowed.length > 0) failed.push(`a ${secrets.otherAllowed.join(' and ')} secret nobody named still allowed`)
      }

      if (failed.length > 0) proof.failed = failed
    }
  } finally {
    await rm(work, {recursive: true, force: true})
  }

  const formats = [...new Set(proofs.map((item) => item.format))].sort()
  const rows = formats.map((format) => {
    const mine = proofs.filter((item) => item.format === format)
    const applied = mine.filter((item) => item.refused === undefined)
    return [format, String(mine.length), String(applied.length), String(applied.filter((item) => !item.failed).length), String(mine.length - applied.length)]
  })
  const header = ['format', 'IAM findings', 'edits applied', 'held', 'no edit (said why)']
  const refusals = new Map<string, number>()
  for (const item of proofs) if (item.refused) refusals.set(item.refused, (refusals.get(item.refused) ?? 0) + 1)
  const failures = proofs.filter((item) => item.failed)
  await mkdir(join(ROOT, 'bench/results'), {recursive: true})
  await writeFile(REPORT, `${JSON.stringify({folders, proofs}, null, 2)}\n`)
  if (markdown) {
    const line = (cells: string[]) => `| ${cells.join(' | ')} |`
    console.log([line(header), line(header.map(() => '---')), ...rows.map((row) => line(row))].join('\n'))
  } else {
    console.log(renderTable(header, rows))
  }

  console.log('\nNo edit, and why:')
  for (const [reason, count] of [...refusals].sort((a, b) => b[1] - a[1])) console.log(`  ${count}  ${reason}`)
  console.log(failures.length === 0 ? '\nEvery edit held.' : '\nEdits that did not hold:')
  for (const item of failures) console.log(`  ${item.file} ${item.resource}: ${item.failed?.join('; ')}`)
}

await main()
