import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

/** The initial JavaScript a first visit downloads (the entry and what it imports statically). */
const INITIAL_JS_LIMIT_KB = 250;

/** Prints the initial JavaScript's gzipped size at every build, and fails the build past the budget. */
function initialJsBudget(): Plugin {
  return {
    name: 'initial-js-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks = new Map(
        Object.values(bundle)
          .filter((o) => o.type === 'chunk')
          .map((c) => [c.fileName, c]),
      );
      const seen = new Set<string>();
      const visit = (name: string) => {
        const chunk = chunks.get(name);
        if (!chunk || seen.has(name)) {
          return;
        }
        seen.add(name);
        chunk.imports.forEach(visit);
      };
      for (const c of chunks.values()) {
        if (c.isEntry) {
          visit(c.fileName);
        }
      }
      const bytes = [...seen].reduce((n, f) => n + gzipSync(chunks.get(f)!.code).length, 0);
      const kb = bytes / 1024;
      const line = `initial JavaScript: ${kb.toFixed(1)} KB gzipped (budget ${INITIAL_JS_LIMIT_KB} KB, ${seen.size} chunk(s))`;
      if (kb > INITIAL_JS_LIMIT_KB) {
        this.error(line);
      }
      console.log(line);
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: 'public',
  plugins: [initialJsBudget()],
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // Browsers with CSS light-dark() (the theme colours), so it ships as written.
    cssTarget: ['chrome123', 'firefox120', 'safari17.5'],
    sourcemap: false,
    // No inline <script> and no data: scripts, so the console runs under `script-src 'self'`.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    rolldownOptions: {
      onwarn(warning, warn) {
        // React Query marks its hooks "use client" for server components; a client-only app drops it.
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') {
          warn(warning);
        }
      },
    },
  },
  server: {
    // `npm run web:dev`: the API of a service started with `npm start` on :3000.
    proxy: { '/api': { target: 'http://127.0.0.1:3000', changeOrigin: false } },
  },
});
