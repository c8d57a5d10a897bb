/**
 * `grant --check --template FILE`: fails when a function's environment in the template still carries
 * a value instead of a secret's name. The detection is scan's (src/core/scan): the same extractors and
 * the same env rules (a credential's shape, a secret-sounding name with a literal, a value resolved at
 * deploy), so grant and scan never disagree about a template.
 */
import type {SecretScanner} from '../core/audit/variables.js'
import {ExitCode, SecretsError, UsageError} from '../core/errors.js'
import type {ScanFinding} from '../core/scan/findings.js'
import {scanFile} from '../core/scan/scan-file.js'
import {parseHcl} from './hcl-parser.js'
import {MAX_TEMPLATE_BYTES, readTemplateText} from './scan.js'

export interface TemplateCheck {
  file: string
  /** Environment variables that carry a value: where, never what. */
  values: {resource: string; variable: string; line: number; rule: string}[]
}

/** Reads and judges the template; throws exit 7 naming each variable (file:line), exit 2 when it is not a template. */
export async function checkTemplateEnvironment(file: string, scan: SecretScanner): Promise<TemplateCheck> {
  const text = await readTemplate(file)
  const scanned = await scanFile(file, text, scan, parseHcl)
  if (scanned.kind === 'not-a-template') throw new UsageError(`--template ${file} is not a template secrets scan reads (CloudFormation, SAM, Serverless, Terraform, an ECS task definition).`)
  if (scanned.kind === 'unparsable') throw new UsageError(`--template ${file} could not be parsed${scanned.line === undefined ? '' : ` (line ${scanned.line})`}: ${scanned.reason}.`)
  const values = scanned.findings.filter((finding) => finding.area === 'env').map((finding) => valueOf(finding))
  if (values.length > 0) {
    throw new SecretsError(
      `${file}: ${values.length === 1 ? 'a function environment carries' : `${values.length} function environment variables carry`} a value instead of a secret's name: ${values.map((value) => `${value.resource} ${value.variable} (line ${value.line})`).join(', ')}.`,
      {
        code: 'TEMPLATE_VALUES',
        exitCode: ExitCode.findings,
        hint: `Store each with "secrets set", replace its value with the secret's name (what "secrets grant --runtime" prints), and run "secrets scan ${file}" for the fixes.`,
      },
    )
  }

  return {file, values}
}

/** The template's text as scan reads one: a regular file (never a FIFO, which would wait), UTF-8, within the cap. */
async function readTemplate(file: string): Promise<string> {
  try {
    return await readTemplateText(file, MAX_TEMPLATE_BYTES)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new UsageError(`--template ${file}: no such file.`)
    throw new UsageError(`--template ${file}: ${(error as Error).message.replace(/^skipped: /, '')}.`)
  }
}

function valueOf(finding: ScanFinding): TemplateCheck['values'][number] {
  return {resource: finding.resource, variable: finding.variable ?? '', line: finding.line, rule: finding.rule}
}
