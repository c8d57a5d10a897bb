/**
 * A YAML or JSON template as a tree of nodes that keep their place in the file. The `yaml` package
 * parses both (JSON is YAML 1.2), with CloudFormation's short intrinsic tags (`!Ref`, `!Sub`, ...)
 * registered so they parse without warnings and stay on their nodes. Aliases are followed one at a
 * time with a budget, never expanded: a YAML bomb costs its size, not its expansion.
 */
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  type Node,
  type Tags,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml'

import {parseLenientDocument} from './lenient-yaml.js'

/** CloudFormation's intrinsic functions that have a short tag. */
const INTRINSICS = [
  'And', 'Base64', 'Cidr', 'Condition', 'Equals', 'FindInMap', 'GetAtt', 'GetAZs', 'If', 'ImportValue',
  'Join', 'Length', 'Not', 'Or', 'Ref', 'Select', 'Split', 'Sub', 'ToJsonString', 'Transform',
] as const

/** The short tags registered on every parse, exported for a tool that edits a template and writes it back. */
export const CFN_TAGS: Tags = INTRINSICS.flatMap((name) => [
  {tag: `!${name}`, resolve: (text: string) => text},
  {tag: `!${name}`, collection: 'seq' as const, resolve: (seq: unknown) => seq},
  {tag: `!${name}`, collection: 'map' as const, resolve: (map: unknown) => map},
]) as Tags

/** More aliases than this in one file is a bomb, or at least not a template. */
const MAX_ALIASES = 1000

/**
 * CloudFormation takes a template of at most 1 MB, some 300,000 YAML tokens. `yaml` builds nodes from
 * them on the only thread: a 4.8 MB flat list (7 million tokens) took 76 s and 2.3 GB. The tokens of a
 * large file are counted first (the lexer alone is cheap, and stops at the limit), so such a file is
 * refused at once. A file under half as many characters cannot hold that many and is not counted.
 */
export const MAX_YAML_TOKENS = 400_000

export class TemplateParseError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message)
    this.name = 'TemplateParseError'
  }
}

export interface Position {
  line: number
  column: number
}

/** A parsed file: its root node and how to find a node's line and column. */
export class Tree {
  private aliases = 0

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  get root(): Node | undefined {
    return this.deref(this.doc.contents as Node | null)
  }

  /** 1-based line and column where the node's value starts (after any tag). */
  position(node: Node | undefined): Position {
    const offset = node?.range?.[0] ?? 0
    const {line, col} = this.lines.linePos(offset)
    return {line, column: col}
  }

  /** The node itself, or the node an alias points to (counted against the budget). */
  deref(node: Node | null | undefined): Node | undefined {
    if (node === null || node === undefined) return undefined
    if (!isAlias(node)) return node
    if (++this.aliases > MAX_ALIASES) throw new TemplateParseError(`more than ${MAX_ALIASES} YAML aliases`, this.position(node).line)
    const target = node.resolve(this.doc)
    return target === undefined || isAlias(target) ? undefined : (target as Node)
  }

  /** The value under `key` of a map node. */
  get(node: Node | undefined, key: string): Node | undefined {
    if (!isMap(node)) return undefined
    for (const pair of (node as YAMLMap).items) {
      if (isPair(pair) && keyText(pair.key) === key) return this.deref(pair.value as Node | null)
    }

    return undefined
  }

  /** Follows a path of keys. */
  at(node: Node | undefined, ...keys: string[]): Node | undefined {
    let current = node
    for (const key of keys) current = this.get(current, key)
    return current
  }

  /** The pairs of a map node with string keys, values dereferenced. */
  entries(node: Node | undefined): Array<[string, Node | undefined, Node]> {
    if (!isMap(node)) return []
    const out: Array<[string, Node | undefined, Node]> = []
    for (const pair of (node as YAMLMap).items) {
      const key = isPair(pair) ? keyText(pair.key) : undefined
      if (key !== undefined) out.push([key, this.deref(pair.value as Node | null), pair.key as Node])
    }

    return out
  }

  /** The items of a sequence node, dereferenced. */
  items(node: Node | undefined): Node[] {
    if (!isSeq(node)) return []
    return (node as YAMLSeq).items.map((item) => this.deref(item as Node | null)).filter((item): item is Node => item !== undefined)
  }
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key) && (typeof key.value === 'string' || typeof key.value === 'number')) return String(key.value)
  return undefined
}

/**
 * The line breaks of YAML 1.1 that `yaml` (YAML 1.2) does not honour: a lone CR, NEL, LS and PS.
 * CloudFormation, cfn-lint and PyYAML end a line at each, so a comment ending in one must not hide
 * the lines after it from scan. Each is one UTF-16 unit, as is the LF it becomes: offsets keep.
 */
const YAML_11_BREAKS = /\r(?!\n)|[\u0085\u2028\u2029]/g

/**
 * Parses YAML or JSON text; a syntax error names its line. A key twice in one map is an error:
 * PyYAML and Python's json keep the last, `yaml` the first, so either reading could hide the other.
 */
export function parseTree(text: string): Tree {
  const lines = new LineCounter()
  const source = text.replaceAll(YAML_11_BREAKS, '\n')
  if (source.length > MAX_YAML_TOKENS / 2) {
    let tokens = 0
    for (const _ of new Lexer().lex(source)) {
      if (++tokens > MAX_YAML_TOKENS) throw new TemplateParseError(`too complex to read (more than ${MAX_YAML_TOKENS.toLocaleString('en-US')} YAML tokens)`)
    }
  }

  const doc = parseLenientDocument(source, {customTags: CFN_TAGS, lineCounter: lines, uniqueKeys: true, prettyErrors: false, strict: false})
  const [error] = doc.errors
  if (error) {
    const {line, col} = lines.linePos(error.pos[0])
    // yaml's messages can quote the source; only its code and the place are kept.
    throw new TemplateParseError(`${error.code.toLowerCase().replaceAll('_', ' ')} at line ${line}, column ${col}`, line, col)
  }

  return new Tree(doc, lines)
}

/** What a node's value is, as far as a secret goes. */
export type NodeValue =
  /** A literal: a string, a number or a boolean (as text). */
  | {kind: 'literal'; text: string}
  /** An intrinsic function: `fn` is `Ref`, `Fn::Sub`, ...; `text` the string it builds, with `${...}` for what is resolved at deploy. */
  | {kind: 'intrinsic'; fn: string; text: string}
  /** A map, a list or null. */
  | {kind: 'other'}

/** Reads a node as a literal, an intrinsic (short tag or `{Ref: ...}` / `{"Fn::Sub": ...}` form) or neither. */
export function nodeValue(tree: Tree, node: Node | undefined, untagged = false): NodeValue {
  if (node === undefined) return {kind: 'other'}
  const tag = !untagged && node.tag?.startsWith('!') ? node.tag.slice(1) : undefined
  if (tag !== undefined && (INTRINSICS as readonly string[]).includes(tag)) {
    const fn = tag === 'Ref' || tag === 'Condition' ? tag : `Fn::${tag}`
    // The short form's argument is the tagged node itself, read without its tag.
    return {kind: 'intrinsic', fn, text: intrinsicText(tree, fn, node, true)}
  }

  if (isScalar(node)) {
    const {value} = node
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
      return {kind: 'literal', text: String(value)}
    }

    return {kind: 'other'}
  }

  if (isMap(node)) {
    const entries = tree.entries(node)
    if (entries.length === 1) {
      const [key, value] = entries[0]
      if (key === 'Ref' || key.startsWith('Fn::')) return {kind: 'intrinsic', fn: key, text: intrinsicText(tree, key, value)}
    }
  }

  return {kind: 'other'}
}

/**
 * The string an intrinsic builds, as far as it can be told without deploying: `Fn::Sub`'s template,
 * `Fn::Join`'s parts joined (each intrinsic part as `${...}`), and `${Ref}` for the rest.
 */
function intrinsicText(tree: Tree, fn: string, arg: Node | undefined, self = false): string {
  if (fn === 'Fn::Sub') {
    const template = isSeq(arg) ? tree.items(arg)[0] : arg
    const value = nodeValue(tree, template, self && template === arg)
    return value.kind === 'literal' ? value.text : '${}'
  }

  if (fn === 'Fn::Join') {
    const [separator, parts] = tree.items(arg)
    const sep = nodeValue(tree, separator)
    return tree
      .items(parts)
      .map((part) => {
        const value = nodeValue(tree, part)
        return value.kind === 'literal' ? value.text : '${}'
      })
      .join(sep.kind === 'literal' ? sep.text : '')
  }

  const value = nodeValue(tree, arg, self)
  return `\${${fn}${value.kind === 'literal' ? ` ${value.text}` : ''}}`
}

/** An intrinsic function call: its name (`Ref`, `Fn::Join`, ...) and its argument. */
export interface IntrinsicCall {
  fn: string
  arg: Node | undefined
  /** The short form's argument is the tagged node itself: read it without its tag. */
  bare: boolean
}

/** The intrinsic a node calls, in the short (`!Join`) or long (`{"Fn::Join": ...}`) form. */
export function intrinsicCall(tree: Tree, node: Node | undefined, untagged = false): IntrinsicCall | undefined {
  if (node === undefined) return undefined
  const tag = !untagged && node.tag?.startsWith('!') ? node.tag.slice(1) : undefined
  if (tag !== undefined && (INTRINSICS as readonly string[]).includes(tag)) {
    return {fn: tag === 'Ref' || tag === 'Condition' ? tag : `Fn::${tag}`, arg: node, bare: true}
  }

  const entries = isMap(node) ? tree.entries(node) : []
  if (entries.length === 1 && (entries[0][0] === 'Ref' || entries[0][0].startsWith('Fn::'))) return {fn: entries[0][0], arg: entries[0][1], bare: false}
  return undefined
}

/**
 * The string an expression always builds when it is made of literals only: `!Join` of literals,
 * `!Base64 'text'`, `!Select` from a list of literals (or a `!Split` of one), `!Sub` with nothing to
 * substitute (`${!Name}` is the literal `${Name}`). Undefined when anything is resolved at deploy.
 */
export function literalText(tree: Tree, node: Node | undefined, untagged = false): string | undefined {
  const call = intrinsicCall(tree, node, untagged)
  if (call === undefined) {
    const value = nodeValue(tree, node, untagged)
    return value.kind === 'literal' ? value.text : undefined
  }

  const {fn, arg, bare} = call
  if (fn === 'Fn::Base64') return literalText(tree, arg, bare)
  if (fn === 'Fn::Join') {
    const [separator, parts] = tree.items(arg)
    const sep = literalText(tree, separator)
    const texts = literalList(tree, parts)
    return sep === undefined || texts === undefined ? undefined : texts.join(sep)
  }

  if (fn === 'Fn::Select') {
    const [index, list] = tree.items(arg)
    const at = literalText(tree, index)
    const texts = literalList(tree, list)
    return at === undefined || !/^\d+$/.test(at) || texts === undefined ? undefined : texts[Number(at)]
  }

  if (fn === 'Fn::Sub') {
    const template = isSeq(arg) ? tree.items(arg)[0] : arg
    const text = literalText(tree, template, bare && template === arg)
    return text === undefined || /\$\{(?!!)/.test(text) ? undefined : text.replaceAll('${!', '${')
  }

  return undefined
}

/** The items of a list of literals, a `!Split` of a literal included; undefined when any is resolved at deploy. */
function literalList(tree: Tree, node: Node | undefined, untagged = false): string[] | undefined {
  const call = intrinsicCall(tree, node, untagged)
  if (call?.fn === 'Fn::Split') {
    const [separator, source] = tree.items(call.arg)
    const sep = literalText(tree, separator)
    const text = literalText(tree, source)
    return sep === undefined || text === undefined ? undefined : text.split(sep)
  }

  if (call !== undefined || !isSeq(node)) return undefined
  const texts = tree.items(node).map((item) => literalText(tree, item))
  return texts.every((text): text is string => text !== undefined) ? texts : undefined
}

/**
 * The literal text an expression that is not all literal is built from, for judging by shape: the
 * runs of literal parts of a `!Join` (joined by its separator), the template of a `!Sub`, each branch
 * of an `!If`, the items a `!Select` picks from. Names (of a `!Ref`, a `!GetAtt`, a condition) are not text.
 */
export function literalPieces(tree: Tree, node: Node | undefined, untagged = false): string[] {
  const whole = literalText(tree, node, untagged)
  if (whole !== undefined) return [whole]
  const call = intrinsicCall(tree, node, untagged)
  if (call === undefined) return isSeq(node) ? tree.items(node).flatMap((item) => literalPieces(tree, item)) : []
  const {fn, arg, bare} = call
  if (fn === 'Fn::Base64') return literalPieces(tree, arg, bare)
  if (fn === 'Fn::Join') {
    const [separator, parts] = tree.items(arg)
    const sep = literalText(tree, separator) ?? ''
    const pieces: string[] = []
    let run: string[] = []
    const endRun = () => {
      if (run.length > 0) pieces.push(run.join(sep))
      run = []
    }

    for (const part of tree.items(parts)) {
      const text = literalText(tree, part)
      if (text === undefined) {
        endRun()
        pieces.push(...literalPieces(tree, part))
      } else {
        run.push(text)
      }
    }

    endRun()
    return pieces
  }

  if (fn === 'Fn::Sub') {
    const [template, variables] = isSeq(arg) ? tree.items(arg) : [arg, undefined]
    const text = literalText(tree, template, bare && template === arg)
    return [...(text === undefined ? [] : [text]), ...tree.entries(variables).flatMap(([, value]) => literalPieces(tree, value))]
  }

  if (fn === 'Fn::If') return tree.items(arg).slice(1).flatMap((branch) => literalPieces(tree, branch))
  if (fn === 'Fn::Select') return literalPieces(tree, tree.items(arg)[1])
  return []
}

/** What an expression reads at deploy: the parameters and resources it `Ref`s, the attributes it `GetAtt`s. */
export interface TemplateReferences {
  refs: string[]
  attributes: Array<{resource: string; attribute: string}>
}

/**
 * Every `Ref` and `GetAtt` inside an expression, `${Name}` and `${Resource.Attribute}` of a `!Sub`
 * included (but not `${!Literal}`, nor a name its own variable map defines: that value is walked instead).
 */
export function templateReferences(tree: Tree, node: Node | undefined): TemplateReferences {
  const found: TemplateReferences = {refs: [], attributes: []}
  const byName = (name: string) => {
    const dot = name.indexOf('.')
    if (dot === -1) found.refs.push(name)
    else found.attributes.push({resource: name.slice(0, dot), attribute: name.slice(dot + 1)})
  }

  const visit = (current: Node | undefined, untagged = false): void => {
    const call = intrinsicCall(tree, current, untagged)
    if (call === undefined) {
      if (isSeq(current)) for (const item of tree.items(current)) visit(item)
      else if (isMap(current)) for (const [, value] of tree.entries(current)) visit(value)
      return
    }

    const {fn, arg, bare} = call
    if (fn === 'Ref') {
      const target = literalText(tree, arg, bare)
      if (target !== undefined) found.refs.push(target)
    } else if (fn === 'Fn::GetAtt') {
      const items = isSeq(arg) ? tree.items(arg).map((item) => literalText(tree, item)) : [literalText(tree, arg, bare)]
      const name = items.every((item) => item !== undefined) ? items.join('.') : undefined
      if (name?.includes('.')) byName(name)
    } else if (fn === 'Fn::Sub') {
      const [template, variables] = isSeq(arg) ? tree.items(arg) : [arg, undefined]
      const defined = new Set(tree.entries(variables).map(([key]) => key))
      for (const [, name] of (literalText(tree, template, bare && template === arg) ?? '').matchAll(/\$\{(?!!)\s*([^}]*?)\s*\}/g)) {
        if (!defined.has(name)) byName(name)
      }

      visit(variables)
    } else {
      visit(arg, bare)
    }
  }

  visit(node)
  return found
}

/**
 * A node as CloudFormation's JSON form: short tags become their long form (`!Ref X` is `{Ref: X}`,
 * `!GetAtt A.B` is `{"Fn::GetAtt": ["A", "B"]}`), so a fix can carry what the template wrote and put
 * it back in either notation. Aliases count against the tree's budget as everywhere else.
 */
export function cfnJson(tree: Tree, node: Node | undefined, untagged = false): unknown {
  if (node === undefined) return null
  const call = untagged ? undefined : intrinsicCall(tree, node)
  if (call?.bare) {
    const arg = cfnJson(tree, node, true)
    if (call.fn === 'Fn::GetAtt' && typeof arg === 'string') {
      const dot = arg.indexOf('.')
      return {[call.fn]: dot === -1 ? [arg] : [arg.slice(0, dot), arg.slice(dot + 1)]}
    }

    return {[call.fn]: arg}
  }

  if (isSeq(node)) return tree.items(node).map((item) => cfnJson(tree, item))
  if (isMap(node)) return Object.fromEntries(tree.entries(node).map(([key, value]) => [key, cfnJson(tree, value)]))
  return isScalar(node) ? node.value : null
}
