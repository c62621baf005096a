import { buildAll } from './apps';

/** Once per vitest run, before any e2e file: every test file starts the same builds (no second `next build`). */
export default async function setup(): Promise<void> {
  await buildAll();
}
