import { randomBytes } from 'node:crypto';
import { expect } from '@jest/globals';
import type { Locator, Page } from 'playwright-core';

/** How long a UI step may take before the test fails (a turn of the scripted model is ~1–3 s). */
export const UI_TIMEOUT = 15_000;

export interface ConsoleUser {
  username: string;
  email: string;
  password: string;
}

/** Waits until `locator` is visible (Playwright's own wait, bounded). */
export function visible(locator: Locator, timeout = UI_TIMEOUT): Promise<void> {
  return locator.first().waitFor({ state: 'visible', timeout });
}

/** Waits until nothing matching `locator` is visible. */
export function gone(locator: Locator, timeout = UI_TIMEOUT): Promise<void> {
  return locator.first().waitFor({ state: 'hidden', timeout });
}

/**
 * Retries `check` (which asserts with `expect`) until it passes, failing with its last error after
 * `timeout`: a bounded wait for a state, never a sleep standing in for an assertion.
 */
export async function passes(check: () => Promise<void>, timeout = UI_TIMEOUT): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) {
        throw err;
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function newUserName(prefix = 'web'): ConsoleUser {
  const username = `${prefix}_${randomBytes(4).toString('hex')}`;
  return { username, email: `${username}@example.com`, password: 'correct horse battery' };
}

/** Registers through the sign-in screen ("Create an account"), ending signed in. */
export async function registerInUi(page: Page, user: ConsoleUser): Promise<void> {
  await visible(page.getByRole('heading', { name: 'Sign in' }));
  await page.getByRole('button', { name: 'Create an account' }).click();
  await visible(page.getByRole('heading', { name: 'Create an account' }));
  await page.getByRole('textbox', { name: 'Username' }).fill(user.username);
  await page.getByRole('textbox', { name: 'Email' }).fill(user.email);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Create an account' }).click();
  await visible(page.getByRole('button', { name: 'Sign out' }));
}

/** Signs in through the sign-in screen, ending signed in. */
export async function signInInUi(page: Page, user: ConsoleUser): Promise<void> {
  await page.getByRole('textbox', { name: 'Username or email' }).fill(user.username);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await visible(page.getByRole('button', { name: 'Sign out' }));
}

/** The sessions sidebar (on a narrow screen, open the drawer first). */
export const sidebar = (page: Page): Locator => page.getByRole('navigation', { name: 'Sessions' });

/** Creates a session with "New session" → dialog "Title" → "Create"; ends with it open. */
export async function createSessionInUi(page: Page, title: string): Promise<string> {
  await sidebar(page).getByRole('button', { name: 'New session' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('textbox', { name: 'Title' }).fill(title);
  await dialog.getByRole('button', { name: 'Create' }).click();
  await gone(dialog);
  await page.waitForURL(/\/sessions\/[0-9a-f]{32}/, { timeout: UI_TIMEOUT });
  // On a wide screen the list shows it as the open one (a narrow screen has closed the drawer).
  if (await sidebar(page).isVisible()) {
    const link = sidebar(page).getByRole('link', { name: title });
    await passes(async () => expect(await link.getAttribute('aria-current')).toBe('page'));
  }
  return /\/sessions\/([0-9a-f]{32})/.exec(page.url())![1];
}

/** The composer: textbox "Message". */
export const composer = (page: Page): Locator => page.getByRole('textbox', { name: 'Message' });

/** The conversation log. */
export const conversation = (page: Page): Locator =>
  page.getByRole('log', { name: 'Conversation' });

/** Types a message and presses "Send". */
export async function sendInUi(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

/** Waits for the newest turn to end ("Finished: <reason>"). */
export async function untilTurnEnds(page: Page, reason = 'completed', count = 1): Promise<void> {
  const endings = page.getByText(`Finished: ${reason}`);
  await passes(async () => expect(await endings.count()).toBe(count));
}

/** The preview frame's document. */
export const previewFrame = (page: Page) => page.frameLocator('iframe[title="Site preview"]');

/** Opens a tab of the session's sandbox side: "Preview", "Files" or "Versions". */
export async function openTab(page: Page, name: 'Preview' | 'Files' | 'Versions'): Promise<void> {
  await page.getByRole('tab', { name }).click();
  const tab = page.getByRole('tab', { name });
  await passes(async () => expect(await tab.getAttribute('aria-selected')).toBe('true'));
}

/**
 * Clicks a button that may ask for a confirmation first; confirms with a dialog button named like
 * `confirm` when such a dialog opens.
 */
export async function clickAndConfirm(page: Page, button: Locator, confirm: RegExp): Promise<void> {
  await button.click();
  const dialog = page
    .getByRole('dialog')
    .filter({ has: page.getByRole('button', { name: confirm }) });
  try {
    await dialog.waitFor({ state: 'visible', timeout: 1_500 });
  } catch {
    return; // no confirmation asked
  }
  await dialog.getByRole('button', { name: confirm }).click();
  await gone(dialog);
}

/** The JWT the console keeps for the signed-in user (to check it never leaks into a URL). */
export async function storedToken(page: Page): Promise<string> {
  const raw = await page.evaluate<string | null>(`localStorage.getItem('aeio.auth')`);
  expect(raw).not.toBeNull();
  return (JSON.parse(raw!) as { token: string }).token;
}
