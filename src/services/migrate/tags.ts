import {AWS_LIMITS} from '../../core/aws-limits.js'
import type {SourceItem} from '../../core/migration-plan.js'
import type {SecretStore} from '../../stores/secret-store.js'
import type {MigrationSource} from './sources/source.js'

/** A tag value: letters, digits, spaces and `_ . : / = + - @`, at most 256 characters; anything else becomes `_`. */
export const cleanTagValue = (text: string) => text.replaceAll(/[^\p{L}\p{N} _.:/=+\-@]/gu, '_').slice(0, AWS_LIMITS.tagValue.max)

/**
 * Tags naming where a secret came from: the source's kind and the name it gives the item (see
 * `MigrationSource.tagName`), and an SSM item's type. Re-runs find earlier migrations by them.
 */
export function sourceTags(source: MigrationSource, item: SourceItem): Record<string, string> {
  const tags: Record<string, string> = {
    'secrets:migrated-from': source.kind,
    'secrets:source-name': cleanTagValue(source.tagName(item.name)),
  }
  if (item.type) tags['secrets:ssm-type'] = item.type
  return tags
}

/** True when the secret `target` exists, tagged as migrated from `kind`'s item that `sourceName` names. */
export async function taggedSecretExists(store: SecretStore, target: string, kind: string, sourceName: string): Promise<boolean> {
  for await (const secret of store.list(target)) {
    if (secret.name === target && secret.tags['secrets:migrated-from'] === kind && secret.tags['secrets:source-name'] === sourceName) return true
  }

  return false
}
