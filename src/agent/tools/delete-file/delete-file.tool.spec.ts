import { describe, expect, it } from '@jest/globals';
import { fakeToolContext, TEST_SCOPE, expectDescribedSchema } from '../testing/fake-sandbox.js';
import { ToolRegistry } from '../tool-registry.js';
import { deleteFileTool } from './delete-file.tool.js';

const registry = new ToolRegistry();
const remove = (ctx: ReturnType<typeof fakeToolContext>, args: unknown) =>
  registry.execute('delete_file', JSON.stringify(args), ctx);

describe('delete_file', () => {
  it('deletes a file and says so', async () => {
    const ctx = fakeToolContext();
    ctx.sandbox.seed(TEST_SCOPE, 'old.html', 'x');
    ctx.sandbox.seed(TEST_SCOPE, 'index.html', 'y');
    expect(await remove(ctx, { filename: 'old.html' })).toEqual({
      ok: true,
      filename: 'old.html',
      deleted: true,
    });
    expect(ctx.sandbox.names(TEST_SCOPE)).toEqual(['index.html']);
  });

  it('reports a missing file as a result', async () => {
    const ctx = fakeToolContext();
    expect(await remove(ctx, { filename: 'old.html' })).toEqual({
      ok: false,
      error: 'File not found: old.html',
    });
  });

  it('cannot delete a file of another sandbox', async () => {
    const ctx = fakeToolContext();
    const other = { userId: 2, sessionId: 'b'.repeat(32) };
    ctx.sandbox.seed(other, 'index.html', 'theirs');
    expect((await remove(ctx, { filename: 'index.html' })).ok).toBe(false);
    expect(ctx.sandbox.contentOf(other, 'index.html')).toBe('theirs');
  });

  it.each(['../x', '%2e%2e%2fx', '/index.html', 'a\\b', ''])(
    'refuses the path %j as a result',
    async (filename) => {
      const ctx = fakeToolContext();
      ctx.sandbox.seed(TEST_SCOPE, 'x', 'keep');
      expect(await remove(ctx, { filename })).toEqual({
        ok: false,
        error: expect.stringMatching(/^Invalid filename: /),
      });
      expect(ctx.sandbox.names(TEST_SCOPE)).toEqual(['x']);
    },
  );

  it.each([[{}], [{ filename: 1 }], [{ filename: true }]])(
    'refuses a non-string filename in %j',
    async (args) => {
      expect(await remove(fakeToolContext(), args)).toEqual({
        ok: false,
        error: '"filename" must be a string',
      });
    },
  );

  it('has a schema with a description on every property and every property required', () => {
    expectDescribedSchema(deleteFileTool, ['filename']);
  });
});
