#!/usr/bin/env node
// `pnpm example`: builds what the main example needs and starts it (apps/next-example, `next start`).
//
//   pnpm example                 build, then serve on http://localhost:3000 (PORT=… to change)
//   pnpm example --skip-build    serve the last build
//
// The app watches apps/next-example/flags.json (HALYARD_FLAGS_FILE=… to use another file): edit it while the app
// runs and open pages follow within about two seconds, no restart, no reload.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const app = path.join(root, 'apps/next-example');
const next = path.join(app, 'node_modules/next/dist/bin/next');
const port = process.env.PORT ?? '3000';
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };

function run(command, args, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`))));
  });
}

if (!process.argv.includes('--skip-build')) {
  console.log('› building @halyard/core, @halyard/react, @halyard/next (tsup)…');
  await run('pnpm', ['--filter', '@halyard/core', '--filter', '@halyard/react', '--filter', '@halyard/next', 'run', 'build'], root);
  console.log('› next build (apps/next-example)…');
  await run(process.execPath, [next, 'build'], app);
}

const server = spawn(process.execPath, [next, 'start', '-p', port], { cwd: app, env, stdio: ['inherit', 'pipe', 'inherit'] });
let announced = false;
server.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  if (!announced && /Ready|started server/i.test(chunk.toString())) {
    announced = true;
    console.log(`\n  Halyard example shop: http://localhost:${port}`);
    console.log(`  Checkout (50 % rollout of new-checkout): http://localhost:${port}/checkout`);
    console.log(`  Pages Router page: http://localhost:${port}/legacy-cart`);
    console.log(
      process.env.HALYARD_URL
        ? `  Flags from the flag service at ${process.env.HALYARD_URL}: \`pnpm halyard flags toggle <flag>\` and watch open pages follow.\n`
        : `  Edit ${path.relative(process.cwd(), path.join(app, 'flags.json'))} and watch open pages follow.\n`,
    );
  }
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
