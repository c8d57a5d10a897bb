import {readFile} from 'node:fs/promises'
import {homedir} from 'node:os'
import {join} from 'node:path'

import type {CredentialKind, CredentialSource} from '../core/readers.js'

/**
 * Where the SDK's default chain will take credentials from, inferred from the environment and the
 * shared config in the chain's own order: a profile (flag or AWS_PROFILE) wins over keys in the
 * environment; then the environment, the default profile, web identity, the container, the instance.
 * Reads names and kinds only, never a key.
 */
export async function credentialSource(env: NodeJS.ProcessEnv, profileFlag?: string): Promise<CredentialSource> {
  const profile = profileFlag ?? env.AWS_PROFILE
  if (profile) {
    const via = profileFlag ? '--profile' : 'AWS_PROFILE'
    const kind = await profileKind(env, profile)
    return {kind, profile, description: `profile ${profile} (${via})${kind === 'profile' ? '' : `, ${KIND_LABELS[kind]}`}`}
  }

  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return {kind: 'environment', description: `environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY${env.AWS_SESSION_TOKEN ? '/AWS_SESSION_TOKEN' : ''})`}
  }

  const sections = await configSections(env)
  if (sections.has('default')) {
    const kind = await profileKind(env, 'default')
    return {kind, profile: 'default', description: `profile default (shared config)${kind === 'profile' ? '' : `, ${KIND_LABELS[kind]}`}`}
  }

  if (env.AWS_WEB_IDENTITY_TOKEN_FILE && env.AWS_ROLE_ARN) return {kind: 'web-identity', description: `web identity (AWS_WEB_IDENTITY_TOKEN_FILE, role ${env.AWS_ROLE_ARN})`}
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) return {kind: 'container', description: 'container credentials (ECS task role or EKS pod identity)'}
  if (env.AWS_EC2_METADATA_DISABLED === 'true') return {kind: 'none', description: 'none found (no profile, no keys in the environment; instance metadata disabled)'}
  // Nothing is configured: the chain's last resort is instance metadata, which answers only on EC2, so
  // that is said second, not as if it were the source.
  return {kind: 'instance', description: 'none configured (no profile, no keys in the environment); on an EC2 instance, its instance profile'}
}

const KIND_LABELS: Record<CredentialKind, string> = {
  environment: 'environment variables',
  profile: 'static keys',
  sso: 'IAM Identity Center (SSO)',
  'assume-role': 'assumed role',
  process: 'credential_process',
  'web-identity': 'web identity',
  container: 'container',
  instance: 'instance metadata',
  none: 'none',
}

async function profileKind(env: NodeJS.ProcessEnv, profile: string): Promise<CredentialKind> {
  const section = (await configSections(env)).get(profile)
  if (!section) return 'profile'
  if (section.has('sso_session') || section.has('sso_start_url')) return 'sso'
  if (section.has('role_arn')) return section.has('web_identity_token_file') ? 'web-identity' : 'assume-role'
  if (section.has('credential_process')) return 'process'
  return 'profile'
}

/** Profile name -> the keys its sections set, from the config and credentials files (names only). */
async function configSections(env: NodeJS.ProcessEnv): Promise<Map<string, Set<string>>> {
  const sections = new Map<string, Set<string>>()
  const files = [
    {path: env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config'), config: true},
    {path: env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials'), config: false},
  ]
  for (const file of files) {
    let text: string
    try {
      text = await readFile(file.path, 'utf8')
    } catch {
      continue
    }

    let current: Set<string> | undefined
    for (const line of text.split(/\r?\n/)) {
      const header = /^\s*\[\s*([^\]]+?)\s*\]/.exec(line)
      if (header) {
        const name = file.config ? header[1].replace(/^profile\s+/, '') : header[1]
        // [sso-session x] and [services x] sections are not profiles.
        current = /^(sso-session|services)\s/.test(header[1]) ? undefined : (sections.get(name) ?? new Set())
        if (current) sections.set(name, current)
        continue
      }

      const key = /^\s*([\w.-]+)\s*=/.exec(line)
      if (key && current) current.add(key[1])
    }
  }

  return sections
}
