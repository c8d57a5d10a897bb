/**
 * A long random string with no known prefix: an AWS secret access key under any name, a key made
 * with `openssl rand -base64 32`, an Azure account key. Judged by its shape alone, so it leaves out
 * everything random-looking that is not a secret and says so: hex digests and ids, UUIDs, base64 of
 * text, public keys and certificates, KMS ciphertext, Stripe publishable keys, identifiers made of
 * words, and values whose name says they are a digest or public (CODE_SHA256, JWT_PUBLIC_KEY).
 * Pure: it reads only the name and the value.
 */
import {nameWords} from './names.js'

/**
 * Base64 runs of at least 32 characters: an AWS secret access key has 40, a 32-byte key in base64 44.
 * `-` and `_` end a run, so kebab-case names and CloudFormation's physical ids fall apart into short
 * pieces; a shorter random token has too few characters to tell from a word.
 */
const RUN = /[A-Za-z0-9+/]{32,}={0,2}/g

/** Shannon entropy per character; random base62 or base64 of 32+ characters measured 3.9 at the least. */
const MIN_BITS_PER_CHARACTER = 3.75

/**
 * The share of a run made of word-like pieces (camelCase words of 4+ letters with vowels and no run of
 * 4 consonants) from which it is a name or a path, not random. Measured on 50,000 random strings each:
 * 40-character base64 reaches 0.45 once in 1,000; `CheckoutStack-CheckoutFunction8F2B1C3D` and
 * `MyApp/Prod/Config/Database01` have 0.47 and more.
 */
const MAX_WORD_SHARE = 0.45

/** Name words that say the value is a digest, or public: random-looking by design and no secret. */
const NOT_SECRET_NAME_WORDS = /^(?:.*(?:HASH|SHA(?:1|224|256|384|512)?|MD5|DIGEST|CHECKSUM|CRC32|ETAG|FINGERPRINT|THUMBPRINT|INTEGRITY)|PUBLIC|PUBKEY|PUBLISHABLE|CERT|CERTIFICATE|CERTS)$/

/** Just before a run: a hash named in front of its digest (SRI `sha384-`, `sha256:`), a Stripe publishable key. */
const PUBLIC_PREFIX = /(?:sha(?:1|256|384|512)[-:]|pk_(?:live|test)_)$/i

/** A PEM block other than a private key: a certificate or a public key, whose base64 lines look random. */
const PUBLIC_PEM = /-----BEGIN (?!(?:[A-Z]+ )*PRIVATE KEY)[A-Z0-9 ]+-----/

/** True when `value` holds a long random string that is no digest, public key, ciphertext or name. */
export function hasRandomToken(name: string, value: string): boolean {
  if (nameWords(name).some((word) => NOT_SECRET_NAME_WORDS.test(word.replace(/\d+$/, '')) || NOT_SECRET_NAME_WORDS.test(word))) return false
  if (PUBLIC_PEM.test(value) && !/PRIVATE KEY-----/.test(value)) return false
  for (const match of value.matchAll(RUN)) {
    if (PUBLIC_PREFIX.test(value.slice(Math.max(0, match.index - 8), match.index))) continue
    if (looksRandom(match[0])) return true
  }

  return false
}

function looksRandom(run: string): boolean {
  const body = run.replace(/=+$/, '')
  // Hex is a digest, a commit, an id or a UUID's digits, and has 4 bits a character at the most.
  if (/^[0-9a-f]+$/i.test(body)) return false
  if (!/[A-Z]/.test(body) || !/[a-z]/.test(body) || !/[0-9]/.test(body)) return false
  if (bitsPerCharacter(body) < MIN_BITS_PER_CHARACTER) return false
  if (wordShare(body) >= MAX_WORD_SHARE) return false
  return !isEncodedNonSecret(body)
}

/** Shannon entropy of `text`, in bits per character. */
export function bitsPerCharacter(text: string): number {
  const counts = new Map<string, number>()
  for (const character of text) counts.set(character, (counts.get(character) ?? 0) + 1)
  let bits = 0
  for (const count of counts.values()) {
    const p = count / text.length
    bits -= p * Math.log2(p)
  }

  return bits
}

function wordShare(text: string): number {
  let covered = 0
  for (const [word] of text.matchAll(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])/g)) {
    const lower = word.toLowerCase()
    const vowels = lower.replaceAll(/[^aeiouy]/g, '').length
    if (word.length >= 4 && vowels / word.length >= 0.25 && !/[^aeiouy]{4}/.test(lower)) covered += word.length
  }

  return covered / text.length
}

/**
 * Base64 whose bytes are no secret: text (a JSON or YAML config, a JWT's header), a public key or
 * certificate in DER (a SEQUENCE first, where a private key has its version INTEGER), an SSH public
 * key, or KMS ciphertext (the Lambda console's encryption helpers put it in the environment).
 */
function isEncodedNonSecret(body: string): boolean {
  if (/^AQ[EI][BCD]AH/.test(body)) return true
  if (body.length % 4 === 1) return false
  const bytes = Buffer.from(body, 'base64')
  let printable = 0
  for (const byte of bytes) if ((byte >= 0x20 && byte < 0x7f) || byte === 0x09 || byte === 0x0a || byte === 0x0d) printable++
  if (printable / bytes.length >= 0.9) return true
  if (bytes[0] === 0x00 && bytes[1] === 0x00 && bytes[2] === 0x00 && /^(?:ssh-|ecdsa-|sk-)/.test(bytes.subarray(4, 24).toString('latin1'))) return true
  if (bytes[0] === 0x30) {
    const lengthBytes = bytes[1] < 0x80 ? 0 : bytes[1] - 0x80
    if (bytes[2 + lengthBytes] === 0x30) return true
  }

  return false
}
