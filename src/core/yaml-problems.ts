import type {ErrorCode} from 'yaml'

/**
 * What a YAML syntax error means, by its code. The parser's own message quotes the offending text
 * (`Block scalar header includes extra characters: |...`), which may be a secret pasted on that line:
 * the line and column find it, and nothing of it is repeated.
 */
export function yamlProblem(code: ErrorCode): string {
  const problems: Partial<Record<ErrorCode, string>> = {
    ALIAS_PROPS: 'an alias cannot have an anchor or a tag',
    BAD_ALIAS: 'an alias (*name) that names no anchor',
    BAD_DIRECTIVE: 'a directive (%...) YAML does not know',
    BAD_DQ_ESCAPE: 'an invalid escape in a double-quoted string',
    BAD_INDENT: 'wrong indentation',
    BAD_PROP_ORDER: 'an anchor or a tag in the wrong place',
    BAD_SCALAR_START: 'a plain value that cannot start with this character (quote it)',
    BLOCK_AS_IMPLICIT_KEY: 'a block used as a key',
    BLOCK_IN_FLOW: 'a block inside a [...] or {...} collection',
    DUPLICATE_KEY: 'a key given twice in one mapping',
    KEY_OVER_1024_CHARS: 'a key longer than 1024 characters',
    MISSING_CHAR: 'a missing closing quote or bracket',
    MULTILINE_IMPLICIT_KEY: 'a key that runs over more than one line (a missing ":" or closing quote above?)',
    MULTIPLE_ANCHORS: 'more than one anchor on a value',
    MULTIPLE_TAGS: 'more than one tag on a value',
    NON_STRING_KEY: 'a key that is not a string',
    RESOURCE_EXHAUSTION: 'too many aliases',
    TAB_AS_INDENT: 'a tab used for indentation (use spaces)',
    TAG_RESOLVE_FAILED: 'a value its tag cannot read',
    UNEXPECTED_TOKEN: 'unexpected text (a missing ":", quote or bracket?)',
    BAD_COLLECTION_TYPE: 'a collection of the wrong kind for its tag',
  }
  return `${problems[code] ?? 'YAML cannot read it'} (${code})`
}
