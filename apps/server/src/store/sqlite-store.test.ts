/** The store contract on SQLite: always run (the database is a file in a temp directory). */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from './store.js';
import { storeContract } from './store.contract.js';

storeContract('SQLite', () => openStore({ dataDir: mkdtempSync(path.join(os.tmpdir(), 'conclave-sqlite-contract-')) }));
