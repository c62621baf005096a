import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The service serves dist/ at `/` (same origin as the admin API); nothing is loaded from a CDN.
export default defineConfig({
  plugins: [react()],
  base: '/',
  resolve: { conditions: ['@halyard/source', 'module', 'browser', 'development|production'] },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, assetsInlineLimit: 0, manifest: true },
  // `pnpm --dir packages/dashboard dev` proxies the API to a service on :4242 (`pnpm halyard serve`).
  server: { port: 5174, proxy: { '/api': 'http://127.0.0.1:4242', '/sdk': 'http://127.0.0.1:4242' } },
});
