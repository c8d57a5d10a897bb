import type {SecretStore} from '../../stores/secret-store.js'
import {verifyWritten, wasWritten} from '../copy-pipeline.js'
import {fail} from './execute.js'
import type {Tracker, Working} from './types.js'

/**
 * Reads every written target back (20 a call) and compares it with the source's digest: an item is
 * verified, or failed saying why. Only verified items (and those the plan found unchanged) may have
 * their source deleted.
 */
export async function verify(store: SecretStore, working: Working[], {progress, emit}: Tracker): Promise<void> {
  const written = working.filter(({report}) => wasWritten(report))
  if (written.length === 0) return
  emit('verifying')
  const readBack = await verifyWritten(
    store,
    written.map(({item, report}) => ({item: report, target: item.target as string, digest: item.source.digest})),
    (report, reason, error) => fail(report, progress, reason, error),
  )
  if (!readBack) return
  progress.verified += written.filter(({report}) => report.verified).length
  emit()
}
