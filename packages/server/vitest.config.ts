import { halyardProject } from '../../vitest.shared.ts';

// Integration tests start real servers on PGlite (a few seconds of WASM initdb) and PostgreSQL.
export default halyardProject('server', { hookTimeout: 90_000, testTimeout: 60_000 });
