/**
 * Does a variable or parameter name say it holds a secret? Names are split into words (on `_`, `-`,
 * `.`, `/`, spaces and camelCase) so `DB_PASSWORD`, `dbPassword` and `stripe-api-key` all count while
 * `BYPASS_CACHE` and `COMPASS_URL` do not. A word glued from several (`MYSECRET`, `dbpassword`) counts
 * when it ends or starts with an unambiguous secret word (GLUED_SECRET_WORDS).
 */

/** Words that on their own say "this is a secret". */
const SECRET_WORDS = new Set([
  'PASSWORD',
  'PASSWORDS',
  'PASSWD',
  'PWD',
  'PASS',
  'PASSPHRASE',
  'SECRET',
  'SECRETS',
  'TOKEN',
  'TOKENS',
  'APIKEY',
  'CREDENTIAL',
  'CREDENTIALS',
  'CREDS',
  'PRIVATEKEY',
  'AUTHKEY',
  'SECRETKEY',
  'ACCESSKEY',
  'CLIENTSECRET',
  'DSN',
])

/**
 * Secret words long and specific enough to be recognised inside a glued word (`MYSECRET`,
 * `DBPASSWORD`, `githubtoken`, `STRIPEAPIKEY`), as its end or its start. PASS, PWD, DSN and CREDS are
 * left out: glued, they are the ends of ordinary words (BYPASS, COMPASS, PASSENGER).
 */
const GLUED_SECRET_WORDS = [
  'PASSWORDS',
  'PASSWORD',
  'PASSWD',
  'PASSPHRASE',
  'SECRETS',
  'SECRET',
  'TOKENS',
  'TOKEN',
  'APIKEY',
  'CREDENTIALS',
  'CREDENTIAL',
  'PRIVATEKEY',
  'SECRETKEY',
  'ACCESSKEY',
  'AUTHKEY',
]

/**
 * Ordinary words that start or end with a secret word and say nothing about secrets. A glued word that
 * starts or ends with one of these (`TOKENIZERMODEL`, `hftokenizer`, `SECRETARYEMAIL`) is not judged.
 */
const NOT_SECRET_GLUED_WORDS = [
  'TOKENIZE',
  'TOKENIZED',
  'TOKENIZER',
  'TOKENIZING',
  'TOKENIZATION',
  'TOKENISE',
  'TOKENISED',
  'TOKENISER',
  'TOKENISATION',
  'TOKENBUCKET',
  'SECRETARY',
  'SECRETARIES',
  'SECRETARIAL',
  'SECRETARIAT',
  'SECRETE',
  'SECRETED',
  'SECRETION',
  'SECRETIVE',
  'SECRETLY',
  'SECRETSMANAGER',
  'SECRETLINT',
  'PASSWORDLESS',
  'CREDENTIALING',
  'CREDENTIALED',
  'CREDENTIALSPEC',
]

/** Two-word phrases that do (`API_KEY`, `PRIVATE_KEY`, ...): the first word followed by the second. */
const SECRET_PHRASES: ReadonlyArray<readonly [string, string]> = [
  ['API', 'KEY'],
  ['PRIVATE', 'KEY'],
  ['SECRET', 'KEY'],
  ['ACCESS', 'KEY'],
  ['SIGNING', 'KEY'],
  ['ENCRYPTION', 'KEY'],
  ['MASTER', 'KEY'],
  ['LICENSE', 'KEY'],
  ['AUTH', 'KEY'],
  // A session store's signing key, an OAuth consumer's key (Twitter's "API key"), a MAC's key.
  ['SESSION', 'KEY'],
  ['CONSUMER', 'KEY'],
  ['HMAC', 'KEY'],
  ['WEBHOOK', 'SECRET'],
  ['CONNECTION', 'STRING'],
]

/**
 * A last word that turns a secret-sounding name into a name *about* a secret: where it is
 * (`DB_PASSWORD_SECRET_ARN`, `API_KEY_PARAM`), or a setting of it (`TOKEN_TTL`, `PASSWORD_MIN_LENGTH`).
 * `ACCESS_KEY_ID` is the public half of an AWS key pair; the secret half is caught by its value.
 */
const METADATA_SUFFIXES = new Set([
  'NAME',
  'ARN',
  'ID',
  'IDS',
  'PATH',
  'PREFIX',
  'PARAM',
  'PARAMETER',
  'REF',
  'REFERENCE',
  'FILE',
  'DIR',
  'LENGTH',
  'LEN',
  'TTL',
  'EXPIRY',
  'EXPIRES',
  'EXPIRATION',
  'TIMEOUT',
  'SECONDS',
  'MINUTES',
  'HOURS',
  'DAYS',
  'MS',
  'URL',
  'URI',
  'ENDPOINT',
  'HOST',
  'HEADER',
  'TYPE',
  'ENABLED',
  'DISABLED',
  'POLICY',
  'ROTATION',
  'REGION',
  'ALGORITHM',
  'ALG',
  'ISSUER',
  'AUDIENCE',
  'COUNT',
  'SIZE',
  'MAX',
  'MIN',
  'MODE',
  'VERSION',
  'STAGE',
  'FIELD',
  'STORE',
  'BACKEND',
  'PROVIDER',
  'MANAGER',
  'SOURCE',
  'FORMAT',
  'SCOPE',
  'SCOPES',
])

/** Splits a name into upper-case words: `dbPassword-v2` -> DB, PASSWORD, V2. */
export function nameWords(name: string): string[] {
  return name
    .replaceAll(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word.length > 0)
    .map((word) => word.toUpperCase())
}

/**
 * The secret word a glued word ends or starts with: `MYSECRET` -> SECRET, `DBPASSWORD2` -> PASSWORD,
 * `SECRETVALUE` -> SECRET. Not when the word is an ordinary one (`SECRETARY`, `TOKENIZER`), nor when
 * what follows a leading secret word starts with metadata about it (`SECRETARN`, `TOKENTTL`,
 * `SECRETNAMEPREFIX`).
 */
function gluedSecretWord(word: string): string | undefined {
  // A version number glued to the end (`MYSECRET2`, `PASSWORD1`) is not part of the word.
  const bare = word.replace(/\d+$/, '')
  for (const ordinary of NOT_SECRET_GLUED_WORDS) {
    if (bare.startsWith(ordinary) || bare.endsWith(ordinary)) return undefined
  }

  for (const secret of GLUED_SECRET_WORDS) {
    if (bare.endsWith(secret)) return secret
  }

  for (const secret of GLUED_SECRET_WORDS) {
    const rest = bare.slice(secret.length)
    if (bare.startsWith(secret) && ![...METADATA_SUFFIXES].some((suffix) => rest.startsWith(suffix))) return secret
  }

  return undefined
}

/**
 * The word or phrase that makes `name` look like a secret's name, or undefined. A name whose last
 * word marks it as metadata about a secret (ARN, NAME, TTL, URL, ...) is not secret-looking.
 */
export function secretNameMatch(name: string): string | undefined {
  const words = nameWords(name)
  if (words.length === 0) return undefined
  if (words.length > 1 && METADATA_SUFFIXES.has(words.at(-1)!)) return undefined
  for (const [index, word] of words.entries()) {
    if (SECRET_WORDS.has(word)) return word
    const glued = gluedSecretWord(word)
    if (glued !== undefined) return glued
    const next = words[index + 1]
    if (next !== undefined) {
      const phrase = SECRET_PHRASES.find(([first, second]) => first === word && second === next)
      if (phrase) return `${phrase[0]}_${phrase[1]}`
    }
  }

  return undefined
}

/** True when the name alone says the value is a secret. */
export function looksLikeSecretName(name: string): boolean {
  return secretNameMatch(name) !== undefined
}
