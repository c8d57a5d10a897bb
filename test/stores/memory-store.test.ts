import {MemoryStore} from '../../src/stores/memory-store.js'
import {secretStoreContract} from './contract.js'

secretStoreContract('memory', async () => new MemoryStore())
