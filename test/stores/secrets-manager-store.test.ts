import {inject} from 'vitest'

import {secretsManagerClient} from '../../src/aws/clients.js'
import {SecretsManagerStore} from '../../src/stores/secrets-manager-store.js'
import {secretStoreContract} from './contract.js'

secretStoreContract('Secrets Manager on the emulator', async () => {
  const client = await secretsManagerClient({endpointUrl: inject('emulatorEndpoint'), region: 'us-east-1'})
  return new SecretsManagerStore(client)
})
