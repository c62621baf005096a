import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
const r = await build({ stdin: { contents: "import { createPollingSnapshotStore } from '/tmp/h6-src/polling-store.ts'; window.s = createPollingSnapshotStore;", resolveDir: '/work/main', loader: 'js' }, bundle: true, minify: true, format: 'esm', platform: 'browser', write: false });
const code = r.outputFiles[0].contents;
console.log('min', code.length, 'gzip', gzipSync(code, { level: 9 }).length);
if (process.argv[2]) console.log(new TextDecoder().decode(code));
