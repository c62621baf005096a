// temporary helper (deleted at the end): prints the halyard bundle
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { entry } from './src/internal/bundle-size';
const e = entry('halyard');
const r = await build({
  stdin: { contents: e.source, loader: 'jsx', resolveDir: process.cwd(), sourcefile: 'x.jsx' },
  bundle: true, write: false, minify: true, treeShaking: true, format: 'esm', platform: 'browser', target: 'es2020',
  jsx: 'automatic', conditions: ['@halyard/source', 'module'], external: ['react', 'react-dom', 'react/*', 'react-dom/*'],
  define: { 'process.env.NODE_ENV': '"production"' }, legalComments: 'none', logLevel: 'silent',
});
const code = r.outputFiles[0]!.contents;
console.log(new TextDecoder().decode(code));
console.error('min', code.byteLength, 'gzip', gzipSync(code, { level: 9 }).byteLength);
