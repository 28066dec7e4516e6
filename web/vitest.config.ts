import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import app from './vite.config.ts';

/**
 * The console's unit tests (`npm run test:web`): Vitest on the app's own Vite config (same JSX
 * transform and resolution), in happy-dom, headless and offline: every request is a stubbed fetch.
 * Files are `web/src/**\/*.test.ts(x)`, apart from Jest's `*.spec.ts` of the service.
 */
export default mergeConfig(
  app,
  defineConfig({
    test: {
      root: fileURLToPath(new URL('.', import.meta.url)),
      include: ['src/**/*.test.{ts,tsx}'],
      environment: 'happy-dom',
      setupFiles: ['src/test/setup.ts'],
      restoreMocks: true,
      unstubGlobals: true,
      // two cores shared with others: a small pool, no watching
      maxWorkers: 2,
      watch: false,
    },
  }),
);
