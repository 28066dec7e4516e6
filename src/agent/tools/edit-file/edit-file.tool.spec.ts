import { describe, expect, it } from '@jest/globals';
import { fakeToolContext, TEST_SCOPE, expectDescribedSchema } from '../testing/fake-sandbox.js';
import { ToolRegistry } from '../tool-registry.js';
import { editFileTool } from './edit-file.tool.js';

const registry = new ToolRegistry();
const edit = (ctx: ReturnType<typeof fakeToolContext>, args: unknown) =>
  registry.execute('edit_file', JSON.stringify(args), ctx);

const PAGE = '<html>\n  <h1>Hello</h1>\n  <p>One</p>\n  <p>One</p>\n</html>\n';

function withPage(limits?: { maxFileBytes: number; maxSessionBytes: number }) {
  const ctx = fakeToolContext(limits);
  ctx.sandbox.seed(TEST_SCOPE, 'index.html', PAGE);
  return ctx;
}

describe('edit_file', () => {
  it('replaces the one occurrence and reports the new size', async () => {
    const ctx = withPage();
    const result = await edit(ctx, {
      filename: 'index.html',
      old_string: 'Hello',
      new_string: 'Héllo, world',
    });
    const expected = PAGE.replace('Hello', 'Héllo, world');
    expect(result).toEqual({
      ok: true,
      filename: 'index.html',
      size: Buffer.byteLength(expected, 'utf8'),
    });
    expect(ctx.sandbox.contentOf(TEST_SCOPE, 'index.html')).toBe(expected);
  });

  it('deletes the text when new_string is empty', async () => {
    const ctx = withPage();
    const result = await edit(ctx, {
      filename: 'index.html',
      old_string: '  <h1>Hello</h1>\n',
      new_string: '',
    });
    expect(result.ok).toBe(true);
    expect(ctx.sandbox.contentOf(TEST_SCOPE, 'index.html')).toBe(
      '<html>\n  <p>One</p>\n  <p>One</p>\n</html>\n',
    );
  });

  it('puts new_string in literally, without replacement patterns', async () => {
    const ctx = withPage();
    await edit(ctx, { filename: 'index.html', old_string: 'Hello', new_string: "$& $' $1" });
    expect(ctx.sandbox.contentOf(TEST_SCOPE, 'index.html')).toContain("<h1>$& $' $1</h1>");
  });

  it('reports old_string not found as a result and leaves the file alone', async () => {
    const ctx = withPage();
    expect(
      await edit(ctx, { filename: 'index.html', old_string: 'Goodbye', new_string: 'x' }),
    ).toEqual({
      ok: false,
      error: 'old_string was not found in index.html; read the file and copy the text exactly',
    });
    expect(ctx.sandbox.contentOf(TEST_SCOPE, 'index.html')).toBe(PAGE);
  });

  it('reports old_string that is not unique as a result and leaves the file alone', async () => {
    const ctx = withPage();
    expect(
      await edit(ctx, { filename: 'index.html', old_string: '<p>One</p>', new_string: 'x' }),
    ).toEqual({
      ok: false,
      error: 'old_string occurs 2 times in index.html; include more context so it is unique',
    });
    expect(ctx.sandbox.contentOf(TEST_SCOPE, 'index.html')).toBe(PAGE);
  });

  it('counts overlapping matches, so an ambiguous old_string is refused', async () => {
    const ctx = fakeToolContext();
    ctx.sandbox.seed(TEST_SCOPE, 'a.txt', 'aaa');
    expect(await edit(ctx, { filename: 'a.txt', old_string: 'aa', new_string: 'X' })).toEqual({
      ok: false,
      error: 'old_string occurs 2 times in a.txt; include more context so it is unique',
    });
    expect(ctx.sandbox.contentOf(TEST_SCOPE, 'a.txt')).toBe('aaa');
  });

  // Counting overlapping matches with indexOf from every match was quadratic: minutes for 1 MiB of "a".
  it.each([128 * 1024, 1024 * 1024])(
    'counts the matches of a long repetitive old_string in a %d-byte file (N and 8N)',
    async (bytes) => {
      const ctx = fakeToolContext({ maxFileBytes: bytes, maxSessionBytes: bytes });
      ctx.sandbox.seed(TEST_SCOPE, 'a.txt', 'a'.repeat(bytes));
      const half = bytes / 2;
      expect(
        await edit(ctx, { filename: 'a.txt', old_string: 'a'.repeat(half), new_string: 'b' }),
      ).toEqual({
        ok: false,
        error: `old_string occurs ${half + 1} times in a.txt; include more context so it is unique`,
      });
    },
  );

  it('accepts old_string made unique by context', async () => {
    const ctx = withPage();
    const result = await edit(ctx, {
      filename: 'index.html',
      old_string: '<p>One</p>\n</html>',
      new_string: '<p>Two</p>\n</html>',
    });
    expect(result.ok).toBe(true);
    expect(ctx.sandbox.contentOf(TEST_SCOPE, 'index.html')).toBe(
      '<html>\n  <h1>Hello</h1>\n  <p>One</p>\n  <p>Two</p>\n</html>\n',
    );
  });

  it('refuses an empty old_string as a result', async () => {
    const ctx = withPage();
    expect(await edit(ctx, { filename: 'index.html', old_string: '', new_string: 'x' })).toEqual({
      ok: false,
      error: '"old_string" must not be empty; use write_file to create a file',
    });
    expect(ctx.sandbox.contentOf(TEST_SCOPE, 'index.html')).toBe(PAGE);
  });

  it('reports a missing file as a result', async () => {
    expect(
      await edit(fakeToolContext(), { filename: 'nope.html', old_string: 'a', new_string: 'b' }),
    ).toEqual({
      ok: false,
      error: 'File not found: nope.html',
    });
  });

  it.each(['../index.html', '%2e%2e%2findex.html', '/index.html', 'a/./b'])(
    'refuses the path %j as a result',
    async (filename) => {
      expect(await edit(withPage(), { filename, old_string: 'Hello', new_string: 'x' })).toEqual({
        ok: false,
        error: expect.stringMatching(/^Invalid filename: /),
      });
    },
  );

  it('refuses an edit that makes the file too big, leaving it alone', async () => {
    const ctx = withPage({ maxFileBytes: 80, maxSessionBytes: 1000 });
    const result = await edit(ctx, {
      filename: 'index.html',
      old_string: 'Hello',
      new_string: 'x'.repeat(100),
    });
    expect(result).toEqual({
      ok: false,
      error: expect.stringContaining('the limit is 80 bytes per file'),
    });
    expect(ctx.sandbox.contentOf(TEST_SCOPE, 'index.html')).toBe(PAGE);
  });

  it.each([
    [{ old_string: 'Hello', new_string: 'x' }, '"filename" must be a string'],
    [{ filename: 'index.html', old_string: 5, new_string: 'x' }, '"old_string" must be a string'],
    [{ filename: 'index.html', old_string: 'Hello' }, '"new_string" must be a string'],
    [
      { filename: 'index.html', old_string: 'Hello', new_string: ['x'] },
      '"new_string" must be a string',
    ],
  ])('refuses non-string arguments %j', async (args, error) => {
    const ctx = withPage();
    expect(await edit(ctx, args)).toEqual({ ok: false, error });
    expect(ctx.sandbox.contentOf(TEST_SCOPE, 'index.html')).toBe(PAGE);
  });

  it('has a schema with a description on every property and every property required', () => {
    expectDescribedSchema(editFileTool, ['filename', 'old_string', 'new_string']);
  });
});
