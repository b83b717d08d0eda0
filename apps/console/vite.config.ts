import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The console is served by the auth app under /console from dist/console. Vite 8 compiles TSX with Oxc
 * (automatic JSX runtime), so no React plugin is needed for a production build.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/console', import.meta.url)),
    emptyOutDir: true,
    manifest: true,
    // The shell chunk holds React, antd's core and the router (~800 kB raw); the gzip budget is checked by build-report.mjs.
    chunkSizeWarningLimit: 1000,
    rolldownOptions: {
      // antd and rc-* mark their modules "use client" for React Server Components; meaningless in a SPA bundle.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
});
