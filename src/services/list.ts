import pLimit from 'p-limit'

import {byPathSegments} from '../core/order.js'
import type {ReplicaStatus, SecretMetadata, SecretStore} from '../stores/secret-store.js'

export interface ListedSecret {
  name: string
  shortName: string
  lastChanged?: string
  description?: string
  /** Present when the secret is scheduled for deletion. */
  deletedDate?: string
  /** Set on a replica: the region of its primary. */
  primaryRegion?: string
  /** Replicas and their state, when asked for (`replication`). */
  replication?: ReplicaStatus[]
}

/** DescribeSecret calls in flight when replication is asked for: well under the API's rate quota. */
const DESCRIBE_CONCURRENCY = 4

/** Names and metadata under an exact prefix; values are never read. */
export async function listSecrets(
  store: SecretStore,
  prefix: string,
  options: {includeDeleted?: boolean; replication?: boolean},
): Promise<ListedSecret[]> {
  const listed: ListedSecret[] = []
  for await (const secret of store.list(prefix, options)) listed.push(toListed(secret))
  // ListSecrets does not carry the replicas' state: DescribeSecret does, one call per secret, so only on request.
  if (options.replication) {
    const limit = pLimit(DESCRIBE_CONCURRENCY)
    await Promise.all(
      listed.map((secret) =>
        limit(async () => {
          const described = await store.describe(secret.name)
          secret.replication = described.replication ?? []
          if (described.primaryRegion) secret.primaryRegion = described.primaryRegion
        }),
      ),
    )
  }

  // The order of `get --all` and `diff`: by code point, the same on every machine whatever its locale.
  return listed.sort((a, b) => byPathSegments(a.name, b.name))
}

/**
 * Every secret of the account and region: those of the /ENV/SERVICE/NAME scheme, and apart from them
 * the ones outside it (`rds!cluster-...`, made by RDS and other services or tools), which `get --id`
 * reads by name or ARN. Listing "everything" must not silently leave those out.
 */
export async function listEverySecret(
  store: SecretStore,
  options: {includeDeleted?: boolean; replication?: boolean},
): Promise<{secrets: ListedSecret[]; outside: ListedSecret[]}> {
  const all = await listSecrets(store, '', options)
  return {secrets: all.filter((secret) => secret.name.startsWith('/')), outside: all.filter((secret) => !secret.name.startsWith('/'))}
}

function toListed(secret: SecretMetadata): ListedSecret {
  return {
    name: secret.name,
    shortName: secret.name.split('/').pop() ?? secret.name,
    lastChanged: (secret.lastChangedDate ?? secret.createdDate)?.toISOString(),
    description: secret.description,
    ...(secret.deletedDate ? {deletedDate: secret.deletedDate.toISOString()} : {}),
    ...(secret.primaryRegion ? {primaryRegion: secret.primaryRegion} : {}),
  }
}
