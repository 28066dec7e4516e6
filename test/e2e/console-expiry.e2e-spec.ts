import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openConsole, startConsoleRig, type ConsoleRig } from '../support/console-browser.js';
import {
  composer,
  conversation,
  createSessionInUi,
  newUserName,
  passes,
  registerInUi,
  signInInUi,
  storedToken,
  visible,
} from '../support/console-ui.js';

const TIMEOUT = 60_000;

/** The service issues 8-second tokens here, so a sign-in expires within the test. */
describe('web console: an expired sign-in', () => {
  let rig: ConsoleRig;

  beforeAll(async () => {
    rig = await startConsoleRig({ env: { JWT_EXPIRES_IN: '8s' } });
  }, TIMEOUT);
  afterAll(async () => {
    await rig?.close();
  }, TIMEOUT);

  it(
    'returns to sign-in saying it expired, and keeps the typed draft through signing in again',
    async () => {
      const { page, problems } = await openConsole(rig, '/');
      const user = newUserName('expiry');
      await registerInUi(page, user);
      await createSessionInUi(page, 'Before expiry');
      const sessionUrl = page.url();
      const draft = 'A draft I do not want to lose\nwith two lines';
      await composer(page).fill(draft);
      // A reload keeps it too.
      await page.reload();
      await visible(composer(page));
      await passes(async () => expect(await composer(page).inputValue()).toBe(draft));

      // Wait (bounded) until the service refuses the token, then act in the console.
      const token = await storedToken(page);
      await passes(async () => {
        expect((await rig.app.http.get('/api/auth/me', { token })).status).toBe(401);
      }, 15_000);
      await page.getByRole('button', { name: 'Send' }).click();

      await visible(page.getByRole('heading', { name: 'Sign in' }));
      await visible(page.getByRole('status').filter({ hasText: /sign-in expired/i }));
      // The refused request is the one expected console error.
      problems.allow(/401 \(Unauthorized\)/);

      await signInInUi(page, user);
      expect(page.url()).toBe(sessionUrl);
      await visible(composer(page));
      expect(await composer(page).inputValue()).toBe(draft);
      // Nothing was sent with the expired token.
      await visible(page.getByRole('log', { name: 'Conversation' }));
      expect(await conversation(page).getByRole('article').count()).toBe(0);
      problems.expectNone();
    },
    TIMEOUT,
  );
});
