import type {SecretMetadata, SecretStore} from '../stores/secret-store.js'

export interface ListedSecret {
  name: string
  shortName: string
  lastChanged?: string
  description?: string
  /** Present when the secret is scheduled for deletion. */
  deletedDate?: string
}

/** Names and metadata under an exact prefix; values are never read. */
export async function listSecrets(
  store: SecretStore,
  prefix: string,
  options: {includeDeleted?: boolean},
): Promise<ListedSecret[]> {
  const listed: ListedSecret[] = []
  for await (const secret of store.list(prefix, options)) listed.push(toListed(secret))
  return listed.sort((a, b) => a.name.localeCompare(b.name))
}

function toListed(secret: SecretMetadata): ListedSecret {
  return {
    name: secret.name,
    shortName: secret.name.split('/').pop() ?? secret.name,
    lastChanged: (secret.lastChangedDate ?? secret.createdDate)?.toISOString(),
    description: secret.description,
    ...(secret.deletedDate ? {deletedDate: secret.deletedDate.toISOString()} : {}),
  }
}
