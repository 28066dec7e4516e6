import { describe, expect, it } from '@jest/globals';
import { fakeToolContext, TEST_SCOPE, expectDescribedSchema } from '../testing/fake-sandbox.js';
import { ToolRegistry } from '../tool-registry.js';
import { readFileTool } from './read-file.tool.js';

const registry = new ToolRegistry();
const read = (ctx: ReturnType<typeof fakeToolContext>, args: unknown) =>
  registry.execute('read_file', JSON.stringify(args), ctx);

describe('read_file', () => {
  it('returns the name, size in bytes and full content of a file', async () => {
    const ctx = fakeToolContext();
    ctx.sandbox.seed(TEST_SCOPE, 'css/style.css', 'h1 { content: "é"; }\n');
    expect(await read(ctx, { filename: 'css/style.css' })).toEqual({
      ok: true,
      filename: 'css/style.css',
      size: 22,
      content: 'h1 { content: "é"; }\n',
    });
  });

  it('reports a missing file as a result', async () => {
    const ctx = fakeToolContext();
    ctx.sandbox.seed(TEST_SCOPE, 'index.html', 'x');
    expect(await read(ctx, { filename: 'about.html' })).toEqual({
      ok: false,
      error: 'File not found: about.html',
    });
  });

  it('reads only the sandbox of its own scope', async () => {
    const ctx = fakeToolContext();
    ctx.sandbox.seed({ userId: 2, sessionId: 'b'.repeat(32) }, 'secret.txt', 'other user');
    expect(await read(ctx, { filename: 'secret.txt' })).toEqual({
      ok: false,
      error: 'File not found: secret.txt',
    });
  });

  it.each(['../x', '%2e%2e%2fetc%2fpasswd', '/etc/passwd', 'a//b', './index.html'])(
    'refuses the path %j as a result',
    async (filename) => {
      const ctx = fakeToolContext();
      expect(await read(ctx, { filename })).toEqual({
        ok: false,
        error: expect.stringMatching(/^Invalid filename: /),
      });
    },
  );

  it.each([[{}], [{ filename: 7 }], [{ filename: null }], [{ filename: { path: 'index.html' } }]])(
    'refuses a non-string filename in %j',
    async (args) => {
      expect(await read(fakeToolContext(), args)).toEqual({
        ok: false,
        error: '"filename" must be a string',
      });
    },
  );

  it('has a schema with a description on every property and every property required', () => {
    expectDescribedSchema(readFileTool, ['filename']);
  });
});
