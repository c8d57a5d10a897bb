/**
 * Generates docs/COMMANDS.md, the command reference, from the commands themselves (through oclif's
 * Config, i.e. the built commands and oclif.manifest.json): `npm run build && tsx scripts/command-reference.ts`.
 * test/docs/command-reference.test.ts renders it again in memory and fails when the file is stale.
 *
 * Our own generator rather than `oclif readme`: it needs no README markers, renders the exit codes
 * and examples the way the README does, and is stable across oclif versions.
 */
import {writeFile} from 'node:fs/promises'
import {fileURLToPath} from 'node:url'

import {type Command, Config} from '@oclif/core'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))
export const REFERENCE_PATH = `${ROOT}docs/COMMANDS.md`

type Loadable = Command.Loadable
type FlagInfo = Loadable['flags'][string]

/** The reference as Markdown, from the commands the CLI at `root` has (plugins' public commands included). */
export async function renderCommandReference(root = ROOT): Promise<string> {
  const config = await Config.load(root)
  const fillBin = (text: string) => text.replaceAll('<%= config.bin %>', config.bin)
  const commands = config.commands.filter((command) => !command.hidden).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const bin = config.bin
  const lines = [
    '# Command reference',
    '',
    '<!-- Generated from the commands by scripts/command-reference.ts (npm run docs). Do not edit by hand: a test fails when this file is stale. -->',
    '',
    ...commands.map((command) => `- [\`${bin} ${displayId(command.id)}\`](#${anchor(`${bin} ${displayId(command.id)}`)}): ${fillBin(oneLine(command.summary ?? firstLine(command.description)))}`),
    '',
  ]
  for (const command of commands) lines.push(...renderCommand(bin, command).map((line) => fill(line, bin, displayId(command.id))))
  return `${lines.join('\n').replaceAll(/\n{3,}/g, '\n\n').trimEnd()}\n`
}

function renderCommand(bin: string, command: Loadable): string[] {
  const id = displayId(command.id)
  const args = Object.values(command.args ?? {})
  const flags = Object.values(command.flags ?? {}).filter((flag) => !flag.hidden)
  const usage = [
    `${bin} ${id}`,
    ...args.map((arg) => (arg.required ? arg.name.toUpperCase() : `[${arg.name.toUpperCase()}]`)),
    ...(flags.length > 0 ? ['[FLAGS]'] : []),
  ].join(' ')
  const out = [`## \`${bin} ${id}\``, '', oneLine(command.summary ?? firstLine(command.description)), '', '```', usage, '```', '']
  if (args.length > 0) {
    out.push('| Argument | Description |', '| --- | --- |')
    for (const arg of args) out.push(`| \`${arg.name.toUpperCase()}\`${arg.required ? '' : ' (optional)'} | ${cell(arg.description ?? '')}${options(arg.options)} |`)
    out.push('')
  }

  if (flags.length > 0) {
    out.push('| Flag | Description |', '| --- | --- |')
    for (const flag of sortFlags(flags)) out.push(`| ${flagName(flag)} | ${cell(flag.description ?? flag.summary ?? '')}${flagExtras(flag)} |`)
    out.push('')
  }

  const description = command.summary ? (command.description ?? '') : (command.description ?? '').split('\n').slice(1).join('\n')
  if (description.trim()) out.push(description.trim(), '')
  const examples = (command.examples ?? []).map((example) =>
    typeof example === 'string' ? {command: example, description: undefined} : {command: example.command, description: example.description},
  )
  if (examples.length > 0) {
    out.push('Examples:', '', '```sh')
    for (const example of examples) {
      if (example.description) out.push(`# ${oneLine(example.description)}`)
      out.push(fill(example.command, bin, id))
    }

    out.push('```', '')
  }

  return out
}

/** Command flags first, then the AWS group, then --json: the order a reader looks for them. */
function sortFlags(flags: FlagInfo[]): FlagInfo[] {
  const rank = (flag: FlagInfo) => (flag.name === 'json' ? 2 : flag.helpGroup === 'AWS' ? 1 : 0)
  return [...flags].sort((a, b) => rank(a) - rank(b))
}

function flagName(flag: FlagInfo): string {
  const value = flag.type === 'option' ? ` ${(flag.helpValue as string | undefined) ?? flag.name.toUpperCase().replaceAll('-', '_')}` : ''
  return `${flag.char ? `\`-${flag.char}\`, ` : ''}\`--${flag.name}${value}\``
}

function flagExtras(flag: FlagInfo): string {
  if (flag.type !== 'option') return ''
  const extras = [
    options(flag.options),
    flag.multiple ? ' Repeatable.' : '',
    flag.default !== undefined && typeof flag.default !== 'function' ? ` Default: \`${String(flag.default)}\`.` : '',
  ]
  return extras.join('')
}

function options(list: readonly string[] | undefined): string {
  return list?.length ? ` One of ${list.map((option) => `\`${option}\``).join(', ')}.` : ''
}

function displayId(id: string): string {
  return id.replaceAll(':', ' ')
}

function fill(text: string, bin: string, id: string): string {
  return text.replaceAll('<%= config.bin %>', bin).replaceAll('<%= command.id %>', id)
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0]
}

function oneLine(text: string): string {
  return text.replaceAll(/\s+/g, ' ').trim()
}

function cell(text: string): string {
  return oneLine(text).replaceAll('|', '\\|')
}

/** GitHub's heading anchors: lower case, spaces to hyphens, punctuation dropped. */
function anchor(heading: string): string {
  return heading.toLowerCase().replaceAll(/[^\w\- ]/g, '').replaceAll(' ', '-')
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeFile(REFERENCE_PATH, await renderCommandReference())
  console.log(`wrote ${REFERENCE_PATH.slice(ROOT.length)}`)
}
