/**
 * Credential formats secretlint's recommended preset (11.x) does not recognise, each written from its
 * vendor's description of the format, or, where the vendor publishes none, from the detector named
 * in `source` (read as a reference; the patterns here are our own). Pure: it reads only the value.
 *
 * secretlint is tried first; a row here only speaks for a value no secretlint rule matched, so a
 * format both know is reported once, by secretlint. The preset of secretlint 13 recognises the Stripe,
 * GitLab and Hugging Face rows too; it requires Node 22, and this CLI still supports Node 20.
 */
import {bitsPerCharacter} from './random-token.js'
import {isPlaceholder} from './references.js'

export interface CredentialFormat {
  /** The id a finding's detail shows: `credential-format: GOOGLE_API_KEY`. */
  id: string
  what: string
  pattern: RegExp
  /** Where the format is described: the vendor's page, or the detector rule read as a reference. */
  source: string
  /** A match this says is a placeholder, not a credential (`https://user:${PASSWORD}@host`). */
  placeholder?: (match: RegExpExecArray) => boolean
}

/** Characters a token is made of; a format only matches a whole token, never the middle of a longer one. */
const TOKEN_CHAR = String.raw`A-Za-z0-9+/_\-`
const START = `(?<![${TOKEN_CHAR}])`
const END = `(?![${TOKEN_CHAR}])`
const token = (body: string) => new RegExp(`${START}(?:${body})${END}`)

/** A password part that is a template hole or a stand-in, not a password. */
const PASSWORD_PLACEHOLDER = /^(?:\$\{[^}]*\}|\$\([^)]*\)|\{\{[^}]*\}\}|<[^>]*>|%s|\$[A-Za-z_]\w*|\*+|x+|pass(?:word)?|secret|changeme|redacted)$/i

export const CREDENTIAL_FORMATS: readonly CredentialFormat[] = [
  {
    id: 'STRIPE_SECRET_KEY',
    what: 'Stripe secret key (sk_live_, sk_test_)',
    pattern: token(String.raw`sk_(?:live|test)_[A-Za-z0-9]{20,247}`),
    source: 'https://docs.stripe.com/keys',
  },
  {
    id: 'STRIPE_RESTRICTED_KEY',
    what: 'Stripe restricted key (rk_live_, rk_test_)',
    pattern: token(String.raw`rk_(?:live|test)_[A-Za-z0-9]{20,247}`),
    source: 'https://docs.stripe.com/keys',
  },
  {
    id: 'STRIPE_WEBHOOK_SECRET',
    what: "Stripe webhook endpoint's signing secret (whsec_)",
    pattern: token(String.raw`whsec_[A-Za-z0-9+/=]{24,}`),
    source: 'https://docs.stripe.com/webhooks (verify events: the signing secret starts with whsec_)',
  },
  {
    id: 'GOOGLE_API_KEY',
    what: 'Google API key (AIza and 35 characters)',
    pattern: token(String.raw`AIza[A-Za-z0-9_\-]{35}`),
    source: 'https://cloud.google.com/docs/authentication/api-keys; gitleaks rule gcp-api-key',
  },
  {
    id: 'TWILIO_API_KEY',
    what: 'Twilio API key SID (SK and 32 hex digits): its secret is deployed beside it',
    pattern: token(String.raw`SK[0-9a-fA-F]{32}`),
    source: 'https://www.twilio.com/docs/iam/api-keys; gitleaks rule twilio-api-key',
  },
  {
    id: 'SQUARE_ACCESS_TOKEN',
    what: 'Square access token (EAAA, or sq0atp- for the older ones)',
    pattern: token(String.raw`(?:EAAA|sq0atp-)[A-Za-z0-9_\-]{22,60}`),
    source: 'https://developer.squareup.com/docs/build-basics/access-tokens; gitleaks rule square-access-token',
  },
  {
    id: 'SQUARE_APPLICATION_SECRET',
    what: "Square application's OAuth secret (sq0csp-)",
    pattern: token(String.raw`sq0csp-[A-Za-z0-9_\-]{43}`),
    source: 'https://developer.squareup.com/docs/oauth-api/overview; trufflehog detector squareapp',
  },
  {
    id: 'MAILGUN_API_KEY',
    what: 'Mailgun API key (key- and 32 characters, or 32-8-8 hex digits)',
    pattern: token(String.raw`key-[0-9a-z]{32}|[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8}`),
    source: 'https://documentation.mailgun.com/docs/mailgun/api-reference/authentication/ (no format given); trufflehog detector mailgun',
  },
  {
    id: 'MAILCHIMP_API_KEY',
    what: 'Mailchimp API key (32 hex digits and the data center, -us6)',
    pattern: token(String.raw`[0-9a-f]{32}-us[0-9]{1,2}`),
    source: 'https://mailchimp.com/developer/marketing/guides/quick-start/ (the data center ends the key)',
  },
  {
    id: 'DISCORD_WEBHOOK_URL',
    what: "Discord webhook URL (its last path segment is the webhook's token)",
    pattern: /https:\/\/(?:(?:ptb|canary)\.)?discord(?:app)?\.com\/api\/(?:v\d+\/)?webhooks\/\d{17,20}\/[A-Za-z0-9_-]{60,80}/,
    source: 'https://discord.com/developers/docs/resources/webhook (execute webhook: /webhooks/{id}/{token})',
  },
  {
    id: 'TELEGRAM_BOT_TOKEN',
    what: "Telegram bot token (the bot's id, a colon, 35 characters)",
    pattern: token(String.raw`[0-9]{8,10}:A[A-Za-z0-9_\-]{34}`),
    source: 'https://core.telegram.org/bots/api#authorizing-your-bot; gitleaks rule telegram-bot-api-token',
  },
  {
    id: 'AZURE_AD_CLIENT_SECRET',
    what: 'Microsoft Entra ID (Azure AD) client secret (a digit and Q~ after three characters)',
    pattern: /(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/,
    source: 'https://learn.microsoft.com/entra/identity-platform/how-to-add-credentials; gitleaks rule azure-ad-client-secret',
  },
  {
    id: 'AZURE_STORAGE_ACCOUNT_KEY',
    what: "Azure Storage account key in a connection string (AccountKey=, 64 bytes in base64)",
    pattern: /AccountKey=[A-Za-z0-9+/]{86}==/,
    source: 'https://learn.microsoft.com/azure/storage/common/storage-configure-connection-string',
  },
  {
    id: 'DIGITALOCEAN_TOKEN',
    what: 'DigitalOcean API token (dop_v1_, doo_v1_, dor_v1_)',
    pattern: token(String.raw`do[por]_v1_[0-9a-f]{64}`),
    source: 'https://docs.digitalocean.com/notes/2022/api-token-format',
  },
  {
    id: 'PYPI_TOKEN',
    what: 'PyPI API token (pypi- and a macaroon issued by pypi.org)',
    pattern: token(String.raw`pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,}`),
    source: 'https://pypi.org/help/#apitoken; gitleaks rule pypi-upload-token',
  },
  {
    id: 'GITLAB_TOKEN',
    what: 'GitLab token (glpat-, gldt-, glrt-, glptt-, ...)',
    pattern: token(String.raw`gl(?:pat|dt|rt|ptt|ft|imt|oas|soat|cbt)-[A-Za-z0-9_\-.]{20,}`),
    source: 'https://docs.gitlab.com/security/tokens/#token-prefixes',
  },
  {
    id: 'HUGGING_FACE_TOKEN',
    what: 'Hugging Face access token (hf_)',
    pattern: token(String.raw`hf_[A-Za-z0-9]{34,}`),
    source: 'https://huggingface.co/docs/hub/security-tokens',
  },
  {
    id: 'HEROKU_API_KEY',
    what: 'Heroku API key (HRKU-)',
    pattern: token(String.raw`HRKU-AA[A-Za-z0-9_\-]{58}`),
    source: 'https://devcenter.heroku.com/articles/authentication; trufflehog detector heroku (v2)',
  },
  {
    id: 'URL_PASSWORD',
    what: 'URL with a password (scheme://user:password@host), whatever its host and characters',
    pattern: /(?<![A-Za-z0-9+.-])[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:([^\s/?#@]+)@[^\s/?#@]+/i,
    source: 'RFC 3986, section 3.2.1 (user:password in userinfo); secretlint basicauth misses a host without a dot and a password with other characters than letters, digits, - and _',
    placeholder: (match) => PASSWORD_PLACEHOLDER.test(decodeURIComponentSafe(match[1])) || isPlaceholder(decodeURIComponentSafe(match[1])),
  },
]

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/**
 * Below this, a match is a stand-in with a real prefix (`sk_live_XXXXXXXXXXXXXXXXXXXXXXXX`, as in
 * vendors' samples): a real key of the shortest format here has over 4 bits a character.
 */
const MIN_BITS_PER_CHARACTER = 3

/** The ids of the formats `value` holds, in table order. */
export function credentialFormatsIn(value: string): string[] {
  const found: string[] = []
  for (const format of CREDENTIAL_FORMATS) {
    const match = format.pattern.exec(value)
    if (match && bitsPerCharacter(match[0]) >= MIN_BITS_PER_CHARACTER && !format.placeholder?.(match)) found.push(format.id)
  }

  return found
}
