import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  // Relative asset URLs: the build works under any path (the Express example serves it at /spa/).
  base: './',
  // Resolve workspace packages to their TypeScript sources: no package build needed for the SPA.
  resolve: { conditions: ['@halyard/source', 'module', 'browser', 'development|production'] },
  server: { port: 5173, strictPort: true },
});
