import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import yazl from 'yazl';
import { registerAdmin, registerUser, type TestUser } from '../support/factories.js';
import { openConsole, startConsoleRig, type ConsoleRig } from '../support/console-browser.js';
import {
  composer,
  createSessionInUi,
  gone,
  newUserName,
  openTab,
  passes,
  previewFrame,
  registerInUi,
  sendInUi,
  sidebar,
  signInInUi,
  storedToken,
  visible,
} from '../support/console-ui.js';

const TIMEOUT = 60_000;

/** A zip of `files`, built as an integrator's tool would (yazl). */
function zipOf(files: Record<string, string>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(files)) {
    zip.addBuffer(Buffer.from(content), name);
  }
  zip.end();
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => done(Buffer.concat(chunks)));
    zip.outputStream.on('error', fail);
  });
}

/** This service runs without any model provider (no OPENAI_* variables). */
describe('web console without a model configured, and the admin page', () => {
  let rig: ConsoleRig;
  let admin: TestUser;
  let member: TestUser;

  beforeAll(async () => {
    rig = await startConsoleRig({ model: false });
    // The one set-up outside the UI: an operator promotes the first admin (`npm run admin:promote`).
    admin = await registerAdmin(rig.app, 'boss');
    member = await registerUser(rig.app.http, 'member');
  }, TIMEOUT);
  afterAll(async () => {
    await rig?.close();
  }, TIMEOUT);

  it(
    'says no model is configured and how to set one, while sessions, files, preview and versions work',
    async () => {
      const { context, page, problems } = await openConsole(rig, '/');
      await registerInUi(page, newUserName('nomodel'));
      const notice = page.getByText('No model is configured');
      await visible(notice);
      expect(await notice.innerText()).toContain('OPENAI_API_KEY');

      await createSessionInUi(page, 'Hand made');
      await visible(composer(page));

      // A file made by hand in the editor…
      await openTab(page, 'Files');
      await page.getByRole('button', { name: 'New file' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('textbox', { name: 'File name' }).fill('index.html');
      await dialog.getByRole('button', { name: 'Create' }).click();
      await gone(dialog);
      const editor = page.getByRole('region', { name: 'Editor: index.html' });
      await visible(editor);
      await editor.getByRole('textbox').click();
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.insertText('<!DOCTYPE html><title>Hand</title><h1>Made by hand</h1>\n');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await visible(
        page.getByRole('tree', { name: 'Files' }).getByRole('treeitem', { name: 'index.html' }),
      );

      // A zip imported next to it.
      await page.getByLabel('Import zip').setInputFiles({
        name: 'site.zip',
        mimeType: 'application/zip',
        buffer: await zipOf({ 'about.html': '<h1>About us</h1>\n', 'css/site.css': 'h1{}\n' }),
      });
      const tree = page.getByRole('tree', { name: 'Files' });
      await visible(tree.getByRole('treeitem', { name: 'about.html' }));
      await visible(tree.getByRole('treeitem', { name: 'index.html' }));

      // …shows in the preview and makes a version.
      await openTab(page, 'Preview');
      await visible(previewFrame(page).getByRole('heading', { name: 'Made by hand' }));
      await openTab(page, 'Versions');
      const versions = page.getByRole('list', { name: 'Versions' });
      await visible(versions.getByRole('button', { name: /^Show changes of version [1-9]/ }));

      // Sending a message says why nothing answers, in words (the API's 503 detail).
      await sendInUi(page, 'Build something');
      await visible(page.getByRole('alert').filter({ hasText: /model|provider|OPENAI/i }));
      problems.allow(/503 \(Service Unavailable\)/);
      problems.expectNone();
      await context.close();
    },
    TIMEOUT,
  );

  it(
    'manages sessions from the sidebar: rename, fork, delete with a confirmation, and pages with "Load more"',
    async () => {
      const { context, page, problems } = await openConsole(rig, '/');
      const user = newUserName('many');
      await registerInUi(page, user);
      await createSessionInUi(page, 'Draft name');
      const side = sidebar(page);

      await side.getByRole('button', { name: 'Actions for Draft name' }).click();
      await page.getByRole('menuitem', { name: 'Rename' }).click();
      const rename = page.getByRole('dialog');
      await rename.getByRole('textbox', { name: 'Title' }).fill('Bakery');
      await rename.getByRole('button', { name: 'Save' }).click();
      await gone(rename);
      await visible(side.getByRole('link', { name: 'Bakery' }));
      expect(await side.getByRole('link', { name: 'Draft name' }).count()).toBe(0);

      await side.getByRole('button', { name: 'Actions for Bakery', exact: true }).click();
      await page.getByRole('menuitem', { name: 'Fork' }).click();
      await visible(side.getByRole('link', { name: 'Bakery (fork)' }));

      await side.getByRole('button', { name: 'Actions for Bakery (fork)' }).click();
      await page.getByRole('menuitem', { name: 'Delete' }).click();
      const confirm = page.getByRole('dialog');
      // Cancel keeps it; Delete removes it.
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      await gone(confirm);
      await visible(side.getByRole('link', { name: 'Bakery (fork)' }));
      await side.getByRole('button', { name: 'Actions for Bakery (fork)' }).click();
      await page.getByRole('menuitem', { name: 'Delete' }).click();
      await confirm.getByRole('button', { name: 'Delete' }).click();
      await gone(side.getByRole('link', { name: 'Bakery (fork)' }));
      await visible(side.getByRole('link', { name: 'Bakery' }));

      // More sessions than one page (made through the API, this part is about the list's paging).
      const token = await storedToken(page);
      for (let i = 1; i <= 35; i += 1) {
        const res = await rig.app.http.post('/api/sessions', {
          token,
          body: { title: `Paged ${String(i).padStart(2, '0')}` },
        });
        expect(res.status).toBe(201);
      }
      await page.reload();
      await visible(side.getByRole('link', { name: 'Paged 35' }));
      expect(await side.getByRole('link', { name: 'Bakery' }).count()).toBe(0);
      await side.getByRole('button', { name: 'Load more' }).click();
      await visible(side.getByRole('link', { name: 'Bakery' }));
      await visible(side.getByRole('link', { name: 'Paged 01' }));
      problems.expectNone();
      await context.close();
    },
    TIMEOUT,
  );

  it(
    'hides the Admin link from a user who is not an admin',
    async () => {
      const { context, page, problems } = await openConsole(rig, '/');
      await signInInUi(page, { ...member });
      await visible(sidebar(page));
      expect(await page.getByRole('link', { name: 'Admin' }).count()).toBe(0);
      problems.expectNone();
      await context.close();
    },
    TIMEOUT,
  );

  it(
    "shows an admin the Users and Usage tables and the chart, and changes a user's tier",
    async () => {
      const { context, page, problems } = await openConsole(rig, '/');
      await signInInUi(page, { ...admin });
      await page.getByRole('link', { name: 'Admin' }).click();
      await page.waitForURL(/\/admin$/);

      const users = page.getByRole('table', { name: 'Users' });
      await visible(users);
      await visible(users.getByRole('cell', { name: member.username }));
      await visible(page.getByRole('table', { name: 'Usage' }));
      await visible(
        page
          .getByRole('figure', { name: 'Usage chart' })
          .or(page.getByRole('img', { name: 'Usage chart' })),
      );
      expect(
        await users.getByRole('checkbox', { name: `Disabled ${member.username}` }).isChecked(),
      ).toBe(false);
      expect(
        await users.getByRole('combobox', { name: `Role for ${member.username}` }).inputValue(),
      ).toBe('user');

      const tier = users.getByRole('combobox', { name: `Tier for ${member.username}` });
      expect(await tier.inputValue()).toBe('free');
      await tier.selectOption('pro');
      // Stored by the service (read back as the admin), and still shown after a reload.
      await passes(async () => {
        const res = await rig.app.http.get('/api/admin/users', { token: admin.token });
        const row = (res.body as { username: string; tier: string }[]).find(
          (u) => u.username === member.username,
        );
        expect(row?.tier).toBe('pro');
      });
      await page.reload();
      await passes(async () =>
        expect(
          await page
            .getByRole('table', { name: 'Users' })
            .getByRole('combobox', { name: `Tier for ${member.username}` })
            .inputValue(),
        ).toBe('pro'),
      );
      problems.expectNone();
      await context.close();
    },
    TIMEOUT,
  );
});
