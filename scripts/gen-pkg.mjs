// One-off generator for package manifests (kept so new packages stay consistent).
import { writeFileSync, existsSync, readFileSync } from 'node:fs';
const [dir, name, description, entriesJson, depsJson, peerJson, devJson, extraJson] = process.argv.slice(2);
const entries = JSON.parse(entriesJson); // { ".": "index", "./node": "node" }
const exp = {};
for (const [sub, file] of Object.entries(entries)) {
  exp[sub] = {
    '@halyard/source': `./src/${file}.ts${file.endsWith('x') ? '' : ''}`,
    import: { types: `./dist/${file}.d.ts`, default: `./dist/${file}.js` },
    require: { types: `./dist/${file}.d.cts`, default: `./dist/${file}.cjs` },
  };
}
exp['./package.json'] = './package.json';
const pkg = {
  name, version: '0.1.0', description, license: 'MIT', type: 'module', sideEffects: false,
  repository: { type: 'git', url: 'https://example.invalid/halyard.git', directory: dir },
  exports: exp, main: './dist/index.cjs', module: './dist/index.js', types: './dist/index.d.ts',
  files: ['dist', 'src', '!src/**/*.test.ts', '!src/**/*.test.tsx'],
  scripts: {
    build: 'tsup', typecheck: 'tsc -p tsconfig.json',
    'lint:package': 'publint --strict && attw --pack . --profile node16',
  },
  ...JSON.parse(extraJson || '{}'),
  dependencies: JSON.parse(depsJson || '{}'), peerDependencies: JSON.parse(peerJson || '{}'),
  devDependencies: JSON.parse(devJson || '{}'),
};
for (const k of ['dependencies', 'peerDependencies', 'devDependencies']) if (!Object.keys(pkg[k]).length) delete pkg[k];
writeFileSync(`${dir}/package.json`, JSON.stringify(pkg, null, 2) + '\n');
