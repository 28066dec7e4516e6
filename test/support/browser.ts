import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Without the networking flags Chromium floods the closed network with connections. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The Chromium to drive; a missing browser is a failure, never a silent pass. */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (existsSync(path)) {
    return path;
  }
  if (process.env.CI) {
    throw new Error(
      `Chromium is missing in CI (looked at ${path}). The CI job must install it before the tests: ` +
        '`apt-get update && apt-get install -y chromium` (or set CHROMIUM_PATH).',
    );
  }
  throw new Error(
    `Chromium not found at ${path}: the browser tests need a real browser. ` +
      'Install it with `apt-get update && apt-get install -y chromium` (as root), ' +
      'or point CHROMIUM_PATH at a Chromium or Chrome binary. Do not use `npx playwright install`.',
  );
}

/** Headless Chromium (Debian's, or CHROMIUM_PATH) driven by playwright-core. */
export function launchChromium(executablePath = chromiumPath()): Promise<Browser> {
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}
