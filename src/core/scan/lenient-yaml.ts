/**
 * YAML read as CloudFormation's toolchain reads it. cfn-lint and SAM read templates with PyYAML, which
 * does not look at the indentation of a quoted scalar's continuation lines, nor of the lines inside
 * a `[...]` or `{...}`: a `!Sub '{...}'` policy whose closing `}'` sits under its key deploys. `yaml`
 * follows the spec, which wants every such line indented past the key; its lexer ends the scalar or
 * collection there, and no option (`version: '1.1'`, `strict: false`) changes that. This lexer lifts
 * that one check: a document marker (`---`, `...`) still ends both, a block or plain scalar keeps its
 * indentation, and every other error stays `yaml`'s.
 */
import {Composer, type Document, type DocumentOptions, Lexer, type LineCounter, Parser, type ParseOptions, type SchemaOptions, YAMLParseError} from 'yaml'

/** The lexer's state and step this module changes: `yaml` declares them private, they are its lexer's own. */
interface LexerInternals {
  /** The column a continuation line must reach; 0 means any. */
  indentNext: number
  flowLevel: number
  parseQuotedScalar(): Generator<string, string>
}

/** Where the lenient lexer keeps the block context's `indentNext`. */
const blockIndent = Symbol('blockIndentNext')

class LenientLexer extends Lexer {}

const base = Lexer.prototype as unknown as LexerInternals
const lenient = LenientLexer.prototype as unknown as LexerInternals & {[blockIndent]: number}

// Inside a flow collection no line is too little indented: everything in it (its quoted and plain
// scalars included) ends at a bracket, a comma or a document marker.
Object.defineProperty(lenient, 'indentNext', {
  get(this: typeof lenient) {
    return this.flowLevel > 0 ? 0 : this[blockIndent]
  },
  set(this: typeof lenient, value: number) {
    this[blockIndent] = value
  },
})

// A quoted scalar in the block context ends at its closing quote (or a document marker), however
// its lines are indented. Inside a flow collection `indentNext` already reads 0.
lenient.parseQuotedScalar = function (this: LexerInternals) {
  if (this.flowLevel > 0) return base.parseQuotedScalar.call(this)
  return (function* (lexer: LexerInternals) {
    const indentNext = lexer.indentNext
    lexer.indentNext = 0
    try {
      return yield* base.parseQuotedScalar.call(lexer)
    } finally {
      lexer.indentNext = indentNext
    }
  })(this)
}

// A newer `yaml` that renamed these, or made `indentNext` an own property that hides the accessor,
// would quietly read templates strictly again: stop at load instead.
if (typeof base.parseQuotedScalar !== 'function' || Object.hasOwn(new LenientLexer(), 'indentNext')) {
  throw new TypeError('the yaml package no longer has the lexer internals lenient-yaml.ts changes')
}

type Options = ParseOptions & DocumentOptions & SchemaOptions & {lineCounter: LineCounter}

/** `yaml`'s parseDocument, with the lenient lexer: the first document, MULTIPLE_DOCS if there are more. */
export function parseLenientDocument(source: string, options: Options): Document {
  const parser = new Parser(options.lineCounter.addNewLine)
  function* tokens() {
    options.lineCounter.addNewLine(0)
    for (const lexeme of new LenientLexer().lex(source)) yield* parser.next(lexeme)
    yield* parser.end()
  }

  let doc: Document | undefined
  for (const next of new Composer(options).compose(tokens(), true, source.length)) {
    if (doc === undefined) {
      doc = next
    } else {
      doc.errors.push(new YAMLParseError([next.range[0], next.range[1]], 'MULTIPLE_DOCS', 'Source contains multiple documents'))
      break
    }
  }

  return doc as Document
}
