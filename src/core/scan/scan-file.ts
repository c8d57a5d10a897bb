/**
 * One file in, its findings out: recognises the file by its content (not only its name), reads it
 * with the extractor of its format, and judges what it read. Pure: the text is given, and the
 * secretlint scanner and the HCL parser (services/hcl-parser.ts) are passed in.
 */
import type {SecretScanner} from '../audit/variables.js'
import {quoteArg} from '../audit/fixes.js'
import {cloudFormationFlavour, extractCloudFormation, isCloudFormation} from './cloudformation.js'
import {extractDotenv, isDotenvName, isSampleDotenv} from './dotenv.js'
import {extractTaskDefinition, isTaskDefinition} from './ecs.js'
import {extractServerless, isServerless} from './serverless.js'
import {extractTerraform, type HclParser} from './terraform.js'
import type {ScanFinding, TemplateFormat} from './findings.js'
import {judge} from './judge.js'
import {type Extracted} from './entries.js'
import {mayHoldTemplate, mayHoldTerraformScanned} from './prefilter.js'
import {parseTree, TemplateParseError, type Tree} from './tree.js'

export type FileScan =
  /** A template of a known format, with its findings (maybe none). */
  | {kind: 'scanned'; format: TemplateFormat; findings: ScanFinding[]}
  /** Not a template scan reads (a YAML or JSON file of something else, a source file). */
  | {kind: 'not-a-template'}
  /** Looked like a template, but could not be parsed: where and why (never the text). */
  | {kind: 'unparsable'; reason: string; line?: number}

/** Names worth parsing at all: YAML, JSON and CloudFormation's `.template`. */
const STRUCTURED = /\.(ya?ml|json|template)$/i
const TERRAFORM = /\.tf$/i

/** Whether a file of this name may be a template scan reads (its content decides in the end). */
export function mayBeTemplate(path: string): boolean {
  return STRUCTURED.test(path) || TERRAFORM.test(path) || isDotenvName(path)
}

/**
 * Whether a file's text is worth reading in full: a YAML or JSON file without a template's top-level
 * key is not (a vendored SDK's data, a package manifest), and is passed over without being parsed.
 */
export function worthParsing(path: string, text: string): boolean {
  if (isDotenvName(path)) return true
  if (TERRAFORM.test(path)) return mayHoldTerraformScanned(text)
  return !STRUCTURED.test(path) || mayHoldTemplate(text)
}

/** Scans one file's text; `path` is the name shown in findings; `parseHcl` reads a .tf file. */
export async function scanFile(path: string, text: string, scan: SecretScanner, parseHcl: HclParser): Promise<FileScan> {
  if (isDotenvName(path)) return scanDotenv(path, text, scan)
  if (TERRAFORM.test(path)) return mayHoldTerraformScanned(text) ? scanTerraform(path, text, scan, parseHcl) : {kind: 'not-a-template'}
  if (!STRUCTURED.test(path) || !mayHoldTemplate(text)) return {kind: 'not-a-template'}
  let tree: Tree
  try {
    tree = parseTree(text)
  } catch (error) {
    // A .yml that is not YAML is somebody's problem, but only a template is ours to report.
    if (!looksLikeTemplateText(text)) return {kind: 'not-a-template'}
    return unparsable(error)
  }

  let extracted: Extracted | undefined
  try {
    extracted = extract(tree, path)
  } catch (error) {
    if (error instanceof TemplateParseError) return unparsable(error)
    throw error
  }

  if (extracted === undefined) return {kind: 'not-a-template'}
  return {kind: 'scanned', format: extracted.format, findings: await judge(path, extracted, scan)}
}

function extract(tree: Tree, path: string): Extracted | undefined {
  if (isServerless(tree)) return extractServerless(tree)
  if (isCloudFormation(tree)) return extractCloudFormation(tree, cloudFormationFlavour(tree, path))
  if (isTaskDefinition(tree)) return extractTaskDefinition(tree, path)
  return undefined
}

async function scanTerraform(path: string, text: string, scan: SecretScanner, parseHcl: HclParser): Promise<FileScan> {
  let extracted: Extracted
  try {
    extracted = await extractTerraform(path, text, parseHcl)
  } catch (error) {
    if (error instanceof TemplateParseError) return unparsable(error)
    throw error
  }

  return {kind: 'scanned', format: 'terraform', findings: await judge(path, extracted, scan)}
}

/**
 * A committed .env file: its secrets are stored with `secrets migrate --from-dotenv`, and the file
 * leaves git. A sample file (placeholders) is only reported for a value with a credential's shape.
 */
async function scanDotenv(path: string, text: string, scan: SecretScanner): Promise<FileScan> {
  const sample = isSampleDotenv(path)
  const findings = (await judge(path, extractDotenv(path, text), scan)).filter((item) => !sample || item.rule === 'env-secret-value')
  const name = path.split('/').at(-1) ?? path
  return {
    kind: 'scanned',
    format: 'dotenv',
    findings: findings.map((item) => ({
      ...item,
      fix: {
        store: `secrets migrate --from-dotenv ${quoteArg(path)} --to ENV/SERVICE --only ${quoteArg(item.variable ?? 'NAME')}`,
        change: sample
          ? `replace the value of ${item.variable} in ${name} with a placeholder`
          : `remove ${name} from git (git rm --cached ${quoteArg(path)}; add it to .gitignore); the application reads ${item.variable} from Secrets Manager`,
      },
    })),
  }
}

/** Words that say a file that failed to parse was meant to be a template. */
function looksLikeTemplateText(text: string): boolean {
  return /AWSTemplateFormatVersion|\bResources\s*["']?\s*:|containerDefinitions|^\s*provider\s*:/m.test(text.slice(0, 65_536))
}

function unparsable(error: unknown): FileScan {
  if (error instanceof TemplateParseError) return {kind: 'unparsable', reason: error.message, ...(error.line === undefined ? {} : {line: error.line})}
  return {kind: 'unparsable', reason: (error as Error).name}
}
