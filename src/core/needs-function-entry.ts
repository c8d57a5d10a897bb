/**
 * One entry of a manifest's `functions:` (needs-manifest.ts): a list of secrets, or the map form that
 * also names the function's runtime for `grant --runtime` (issue 17). Pure; errors are located by the
 * manifest's own reader context.
 */
import {isMap, isScalar, type Node} from 'yaml'

import {printable} from './printable.js'
import {RUNTIMES, type Runtime} from './runtime-snippets.js'

/** What the manifest's reader gives: line numbers and located errors. */
export interface EntryContext {
  lineOf(node: Node | null | undefined): number
  error(line: number, problem: string): Error
}

/** A function's value: its list of secrets, or a map with `secrets:` and `runtime:`. */
export function functionEntry(value: Node | null, name: string, context: EntryContext, kind: 'function' | 'task' = 'function'): {list: Node | null; runtime?: Runtime} {
  if (!isMap(value)) return {list: value}
  let list: Node | null = null
  let runtime: Runtime | undefined
  for (const pair of value.items) {
    const keyNode = pair.key as Node | null
    const key = isScalar(keyNode) ? String(keyNode.value) : ''
    const node = pair.value as Node | null
    if (key === 'secrets') {
      list = node
    } else if (key === 'runtime') {
      const text = isScalar(node) ? String(node.value) : ''
      if (!(RUNTIMES as readonly string[]).includes(text)) {
        throw context.error(context.lineOf(node ?? keyNode), `${kind} "${name}": runtime: is one of ${RUNTIMES.join(', ')}.`)
      }

      runtime = text as Runtime
    } else {
      throw context.error(context.lineOf(keyNode), `${kind} "${name}": unknown key "${printable(key, 40)}"; a ${kind} has secrets: and runtime:.`)
    }
  }

  return {list, ...(runtime ? {runtime} : {})}
}
