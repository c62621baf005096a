import { createServer } from './src/index';
const s = await createServer({ databaseUrl: 'postgres://postgres@127.0.0.1:5432/test', schema: `h3_first_${process.pid}`, port: 0, logger: false });
const h = { authorization: `Bearer ${s.bootstrapToken}`, 'content-type': 'application/json' };
await fetch(`${s.url}/api/v1/environments/development/flags`, { method: 'POST', headers: h, body: JSON.stringify({ key: 'f', definition: { variants: { on: true, off: false }, enabled: true, offVariant: 'off', defaultServe: { variant: 'on' } } }) });
for (const path of ['/api/v1/environments/development/flags/f', '/api/v1/environments/development/flags/f']) {
  const t = performance.now(); const r = await fetch(s.url + path, { headers: h }); console.log('GET', r.status, (performance.now() - t).toFixed(1), 'ms');
}
for (let i = 0; i < 4; i++) {
  const t = performance.now();
  const r = await fetch(`${s.url}/api/v1/environments/development/flags/f/toggle`, { method: 'POST', headers: h, body: JSON.stringify({ enabled: i % 2 === 1 }) });
  console.log('toggle', i, r.status, (performance.now() - t).toFixed(1), 'ms');
}
await s.close();
const pg = (await import('pg')).default; const c = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' }); await c.connect(); await c.query(`drop schema h3_first_${process.pid} cascade`); await c.end();
