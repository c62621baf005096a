import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** Where entries resolve their imports from: the benchmarks package, which depends on every measured package. */
const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** The budget the Halyard React client must stay under, gzipped. */
export const HALYARD_GZIP_BUDGET = 2048;

export interface BundleEntry {
  name: string;
  label: string;
  /** JSX source of an app that renders the package's provider and reads one flag with its hook. */
  source: string;
}

export interface BundleSize {
  minBytes: number;
  gzipBytes: number;
  /** Minified bytes each source file contributes, largest first (to see what tree-shaking kept). */
  inputs: Array<{ path: string; bytes: number }>;
}

/**
 * Each entry does what a real app does at minimum: create the provider (with whatever client it requires,
 * configured to fetch flags and keep them fresh) and read one boolean flag with the hook.
 */
export const ENTRIES: BundleEntry[] = [
  {
    name: 'halyard',
    label: '@halyard/react (FlagProvider + useFlag, polling)',
    source: `
      import { FlagProvider, useFlag } from '@halyard/react';
      function Checkout() {
        const on = useFlag('new-checkout', false);
        return <p>{on ? 'new checkout' : 'old checkout'}</p>;
      }
      export function App() {
        return <FlagProvider endpoint="/api/flags" context={{ userId: 'u1' }} pollInterval={30000}><Checkout /></FlagProvider>;
      }`,
  },
  {
    // Not under the budget (which is for apps without events): what sending exposures adds, measured the same way.
    name: 'halyard-events',
    label: '@halyard/react + events (createEventSender, sendBeacon)',
    source: `
      import { FlagProvider, useFlag, createEventSender } from '@halyard/react';
      const events = createEventSender({ url: 'https://flags.example.com/sdk/v1/events', clientKey: 'key' });
      function Checkout() {
        const on = useFlag('new-checkout', false);
        return <p>{on ? 'new checkout' : 'old checkout'}</p>;
      }
      export function App() {
        return <FlagProvider endpoint="/api/flags" context={{ userId: 'u1' }} pollInterval={30000} events={events}><Checkout /></FlagProvider>;
      }`,
  },
  {
    name: 'unleash',
    label: '@unleash/proxy-client-react 5.1.0 + unleash-proxy-client 3.8.2',
    source: `
      import { FlagProvider, useFlag } from '@unleash/proxy-client-react';
      function Checkout() {
        const on = useFlag('new-checkout');
        return <p>{on ? 'new checkout' : 'old checkout'}</p>;
      }
      const config = { url: 'https://flags.example.com/api/frontend', clientKey: 'key', appName: 'app', refreshInterval: 30 };
      export function App() {
        return <FlagProvider config={config}><Checkout /></FlagProvider>;
      }`,
  },
  {
    name: 'openfeature',
    label: '@openfeature/react-sdk 1.4.1 + web-sdk 1.10.0',
    source: `
      import { OpenFeatureProvider, useBooleanFlagValue } from '@openfeature/react-sdk';
      function Checkout() {
        const on = useBooleanFlagValue('new-checkout', false);
        return <p>{on ? 'new checkout' : 'old checkout'}</p>;
      }
      export function App() {
        return <OpenFeatureProvider><Checkout /></OpenFeatureProvider>;
      }`,
  },
  {
    name: 'growthbook',
    label: '@growthbook/growthbook-react 1.8.0',
    source: `
      import { GrowthBook, GrowthBookProvider, useFeatureIsOn } from '@growthbook/growthbook-react';
      const gb = new GrowthBook({ apiHost: 'https://cdn.growthbook.io', clientKey: 'sdk-key' });
      gb.init({ streaming: true });
      function Checkout() {
        const on = useFeatureIsOn('new-checkout');
        return <p>{on ? 'new checkout' : 'old checkout'}</p>;
      }
      export function App() {
        return <GrowthBookProvider growthbook={gb}><Checkout /></GrowthBookProvider>;
      }`,
  },
  {
    name: 'launchdarkly',
    label: 'launchdarkly-react-client-sdk 3.9.4',
    source: `
      import { LDProvider, useFlags } from 'launchdarkly-react-client-sdk';
      function Checkout() {
        const { newCheckout } = useFlags();
        return <p>{newCheckout ? 'new checkout' : 'old checkout'}</p>;
      }
      export function App() {
        return <LDProvider clientSideID="client-side-id" context={{ kind: 'user', key: 'u1' }}><Checkout /></LDProvider>;
      }`,
  },
];

/**
 * Builds @halyard/react and what it depends on (turbo: a cache hit when nothing changed), because the size is
 * measured on the published build, not on the sources.
 */
export function buildHalyardReact(): void {
  const run = spawnSync('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=@halyard/react...', '--output-logs=errors-only'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
    timeout: 300_000,
  });
  if (run.status !== 0) throw new Error(`@halyard/benchmarks: building @halyard/react failed:\n${run.stdout}${run.stderr}`);
}

/**
 * esbuild: ESM for the browser, minified, tree-shaken, production React branches; react and react-dom are
 * external (every app ships them anyway). Packages resolve as an app installing them would: through each
 * package.json's `exports` with the `import` condition, to the published `dist/` (never the `@halyard/source`
 * condition the monorepo's tests use), so run {@link buildHalyardReact} first. Gzip is node:zlib level 9.
 */
export async function measureBundle(entry: BundleEntry): Promise<BundleSize> {
  const result = await build({
    stdin: { contents: entry.source, loader: 'jsx', resolveDir: PACKAGE_DIR, sourcefile: `${entry.name}-entry.jsx` },
    absWorkingDir: PACKAGE_DIR,
    bundle: true,
    write: false,
    minify: true,
    treeShaking: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    jsx: 'automatic',
    // Custom conditions replace esbuild's implicit `module` condition, so name it again (`import` and `browser`
    // always apply). No `@halyard/source`: what ships is measured.
    conditions: ['module'],
    external: ['react', 'react-dom', 'react/*', 'react-dom/*'],
    define: { 'process.env.NODE_ENV': '"production"' },
    legalComments: 'none',
    logLevel: 'silent',
    metafile: true,
    outdir: 'out',
  });
  const code = result.outputFiles[0]!.contents;
  const output = Object.values(result.metafile.outputs)[0]!;
  const inputs = Object.entries(output.inputs)
    .map(([path, info]) => ({ path: path.replace(/^.*node_modules\//, '').replace(/^(\.\.\/)+/, ''), bytes: info.bytesInOutput }))
    .filter((i) => i.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
  return { minBytes: code.byteLength, gzipBytes: gzipSync(code, { level: 9 }).byteLength, inputs };
}

export function entry(name: string): BundleEntry {
  const found = ENTRIES.find((e) => e.name === name);
  if (!found) throw new Error(`@halyard/benchmarks: no bundle entry named ${name}`);
  return found;
}
