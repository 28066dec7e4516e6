import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect } from '@jest/globals';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { launchChromium } from './browser.js';
import { llmEnv } from './agent-helpers.js';
import { FakeOpenAi, say, streamed } from './fake-openai.js';
import { startTestApp, type TestApp } from './test-app.js';

/** Where the test run writes the console's screenshots (committed from the final run). */
export const SCREENSHOT_DIR = resolve('docs/screenshots');

/** One console under test: the built service on its own database, the scripted model, one Chromium. */
export interface ConsoleRig {
  app: TestApp;
  /** The scripted model; absent when the service runs without a provider. */
  fake?: FakeOpenAi;
  browser: Browser;
  /** Every context opened through `open`, closed by `close`. */
  contexts: BrowserContext[];
  close(): Promise<void>;
}

/**
 * Starts the service (wired to a scripted OpenAI-compatible server unless `model: false`) and one
 * Chromium. Anything that started is closed by `close`, even if a later part failed to start.
 */
export async function startConsoleRig(
  options: { model?: boolean; env?: Record<string, string> } = {},
): Promise<ConsoleRig> {
  const contexts: BrowserContext[] = [];
  let fake: FakeOpenAi | undefined;
  let app: TestApp | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    for (const c of contexts) {
      await c.close().catch(() => undefined);
    }
    await browser?.close();
    await app?.close();
    await fake?.close();
  };
  try {
    if (options.model !== false) {
      fake = new FakeOpenAi(() => streamed(say('Nothing was scripted for this request.')));
      await fake.start();
    }
    app = await startTestApp({ ...(fake ? llmEnv(fake) : {}), ...options.env });
    browser = await launchChromium();
  } catch (err) {
    await close();
    throw err;
  }
  return { app, fake, browser, contexts, close };
}

/** What went wrong in a page: console errors, uncaught exceptions, CSP violations, failed dialogs. */
export class PageProblems {
  readonly problems: string[] = [];
  private readonly allowed: RegExp[] = [];

  /** Problems matching `pattern` are expected in this test (e.g. the 401 of an expired token). */
  allow(pattern: RegExp): void {
    this.allowed.push(pattern);
  }

  add(problem: string): void {
    this.problems.push(problem);
  }

  unexpected(): string[] {
    return this.problems.filter((p) => !this.allowed.some((a) => a.test(p)));
  }

  /** Fails with every unexpected problem listed. */
  expectNone(): void {
    expect(this.unexpected()).toEqual([]);
  }
}

export interface ConsolePage {
  context: BrowserContext;
  page: Page;
  problems: PageProblems;
}

/**
 * A fresh browser context (own storage) on the console with every console error, page error and CSP
 * violation recorded (of the console and of frames in it). `bypassCSP` only for the accessibility scan.
 */
export async function openContext(
  rig: ConsoleRig,
  options: BrowserContextOptions = {},
): Promise<{ context: BrowserContext; problems: PageProblems; newPage(): Promise<Page> }> {
  const context = await rig.browser.newContext({
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
    ...options,
  });
  rig.contexts.push(context);
  const problems = new PageProblems();
  await context.exposeBinding('__aeioReportCsp', ({ frame }, text: string) => {
    problems.add(`CSP violation in ${frame.url()}: ${text}`);
  });
  await context.addInitScript(`
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__aeioReportCsp?.(
        e.violatedDirective + ' blocked ' + (e.blockedURI || '(inline)') + ' at ' + e.sourceFile +
          ':' + e.lineNumber + ':' + e.columnNumber + (e.sample ? ' sample: ' + e.sample : ''),
      );
    });
  `);
  const watch = (page: Page) => {
    page.on('console', (msg) => {
      if (msg.type() === 'error') {
        problems.add(`console error in ${msg.location().url}: ${msg.text()}`);
      }
    });
    page.on('pageerror', (err) => problems.add(`uncaught in page: ${err.message}`));
  };
  context.on('page', watch);
  return { context, problems, newPage: () => context.newPage() };
}

/** One page of the console at `path` in its own context. */
export async function openConsole(
  rig: ConsoleRig,
  path = '/',
  options: BrowserContextOptions = {},
): Promise<ConsolePage> {
  const { context, problems, newPage } = await openContext(rig, options);
  const page = await newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(rig.app.baseUrl + path);
  return { context, page, problems };
}

/** Writes `docs/screenshots/<name>.png` (the viewport; `fullPage` for the whole page). */
export async function screenshot(page: Page, name: string, fullPage = false): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = resolve(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage, animations: 'disabled', caret: 'hide' });
  return path;
}

interface AxeNode {
  target: unknown[];
  html: string;
  failureSummary?: string;
}
interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: AxeNode[];
}

let axeSource: string | undefined;

/**
 * Runs axe-core in the page (the console only: the sandboxed preview frame is the generated site) and
 * answers the serious and critical violations, one readable line per element.
 */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  axeSource ??= readFileSync(resolve('node_modules/axe-core/axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol, which the console's CSP does not govern (no inline tag).
  if (!(await page.evaluate('typeof window.axe === "object"'))) {
    await page.evaluate(axeSource);
  }
  const violations = await page.evaluate<AxeViolation[]>(`
    window.axe.run(document, { iframes: false, resultTypes: ['violations'] })
      .then((r) => r.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })),
      })))
  `);
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) =>
      v.nodes.map(
        (n) =>
          `${v.impact} ${v.id}: ${v.help} — ${JSON.stringify(n.target)} ${n.html.slice(0, 160)}` +
          (n.failureSummary ? ` (${n.failureSummary.replace(/\s+/g, ' ')})` : ''),
      ),
    );
}
