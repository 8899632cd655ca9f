// The web app's build (scripts/build.mjs runs it into dist/) and dev server (`npm run dev -w
// @backlot/web`), which proxies the API and live events to a running `backlot serve`.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const api = process.env.BACKLOT_DEV_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  // Relative to this file, whatever the current folder.
  root: fileURLToPath(new URL('.', import.meta.url)),
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // The polyfill would be an inline script, which the Content-Security-Policy forbids.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 700,
  },
  server: {
    proxy: {
      '/api': {
        target: api,
        ws: true,
        changeOrigin: true,
        // Cookie-authenticated WebSockets must come from the server's own origin.
        configure: (proxy) => proxy.on('proxyReqWs', (req) => req.setHeader('origin', api)),
      },
    },
  },
});
