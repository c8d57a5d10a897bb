/**
 * A committed `.env` file: every entry is judged by the variable rules. A sample file (`.env.example`,
 * `.env.sample`, `.env.template`, `.env.dist`) is meant to hold placeholders: only a value with the
 * shape of a real credential (secretlint) is reported there, never a name alone.
 */
import {readDotenv} from '../dotenv.js'
import type {Extracted} from './entries.js'

const SAMPLE = /\.(example|sample|template|dist|defaults?)$/i

/** `.env`, `.env.production`, `prod.env`: names a .env file has. */
export function isDotenvName(path: string): boolean {
  const name = path.split('/').at(-1) ?? path
  return /^\.env(\..+)?$/.test(name) || /\.env$/.test(name)
}

export function isSampleDotenv(path: string): boolean {
  return SAMPLE.test(path)
}

/** A sample's URL credentials are placeholders too: `postgres://app:changeme@localhost/app`. */
const PLACEHOLDER_PASSWORD = /^(changeme|change[_-]me|password|passw(or)?d|pass|secret|example|x+|\*+|<[^<>]*>|\$\{[^}]*\}|your[_-].*)$/i

function placeholderUrl(value: string): boolean {
  const password = /^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:([^@\s]+)@/i.exec(value)?.[1]
  if (password === undefined) return false
  let decoded = password
  try {
    decoded = decodeURIComponent(password)
  } catch {}

  return PLACEHOLDER_PASSWORD.test(decoded)
}

export function extractDotenv(path: string, text: string): Extracted {
  const sample = isSampleDotenv(path)
  const extracted: Extracted = {format: 'dotenv', env: [], parameters: [], policies: []}
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  const name = path.split('/').at(-1) ?? path
  const file = readDotenv(text)
  // A key that opens an unquoted multi-line PEM block holds only its first line for dotenv; what the
  // file commits is the whole block, and that is what is judged.
  const values = [
    ...file.entries.map((entry) => ({key: entry.key, line: entry.line, value: entry.value.text})),
    ...file.truncated.map((entry) => ({key: entry.key, line: entry.line, value: entry.block.text})),
  ].sort((a, b) => a.line - b.line)
  for (const entry of values) {
    const {value} = entry
    if (value === undefined || (sample && placeholderUrl(value))) continue
    const line = lines[entry.line - 1] ?? ''
    const equals = line.indexOf('=')
    const quoted = /^\s*["'`]/.test(line.slice(equals + 1))
    const column = equals === -1 ? 1 : equals + 2 + (line.slice(equals + 1).length - line.slice(equals + 1).trimStart().length) + (quoted ? 1 : 0)
    extracted.env.push({
      resource: name,
      workload: name.replace(/^\.env\.?/, '').replace(/\.env$/, '') || 'SERVICE',
      where: `the committed file ${name}`,
      variable: entry.key,
      value: {kind: 'literal', text: value},
      position: {line: entry.line, column},
    })
  }

  return extracted
}
