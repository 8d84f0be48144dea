// Vite builds web/dist, which `kit serve` serves (web_dir; docs/adr/0012-web-application.md).
// `npm run dev` proxies /api to a `kit serve` on 127.0.0.1:8080.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    // The browsers KIT supports load modules natively: no polyfill script, nothing inline
    // (the page's Content-Security-Policy has no 'unsafe-inline').
    modulePreload: { polyfill: false },
    // Never inline assets as data: URLs into scripts or styles.
    assetsInlineLimit: 0,
    // dist/.vite/manifest.json: which chunks each screen loads (e2e/bundle-size.mjs). A dot-folder,
    // so kit serve never serves it.
    manifest: true,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
