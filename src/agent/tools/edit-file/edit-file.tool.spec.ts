import { describe, expect, it } from '@jest/globals';
import { fakeToolContext, TEST_SCOPE } from '../testing/fake-sandbox.js';
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
      edits: [{ match: 'exact', replacements: 1 }],
      changed_lines: '1| <html>\n2|   <h1>Héllo, world</h1>\n3|   <p>One</p>\n4|   <p>One</p>',
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

  it('has a schema with a description on every property, its edits items included; only filename is required', () => {
    const schema = editFileTool.parameters as {
      properties: Record<string, { description?: string; items?: unknown }>;
      required: string[];
    };
    expect(Object.keys(schema.properties).sort()).toEqual(
      ['edits', 'filename', 'new_string', 'old_string', 'replace_all'].sort(),
    );
    for (const property of Object.values(schema.properties)) {
      expect(property.description).toEqual(expect.stringMatching(/\w{3,}/));
    }
    expect(schema.required).toEqual(['filename']);
    const items = schema.properties.edits.items as {
      properties: Record<string, { description?: string }>;
      required: string[];
    };
    expect(Object.keys(items.properties).sort()).toEqual([
      'new_string',
      'old_string',
      'replace_all',
    ]);
    for (const property of Object.values(items.properties)) {
      expect(property.description).toEqual(expect.stringMatching(/\w{3,}/));
    }
    expect(items.required).toEqual(['old_string', 'new_string']);
  });
});

describe('edit_file with several edits, whitespace-insensitive matching and context', () => {
  const CSS = 'body {\n  color: red;\n  margin: 0;\n}\n\nh1 {\n    font-size: 2rem;\n}\n';

  function withCss() {
    const ctx = fakeToolContext();
    ctx.sandbox.seed(TEST_SCOPE, 'style.css', CSS);
    return ctx;
  }

  it('applies a list of edits in order, each to the result of the one before', async () => {
    const ctx = withCss();
    const result = await edit(ctx, {
      filename: 'style.css',
      edits: [
        { old_string: 'color: red;', new_string: 'color: navy;' },
        { old_string: 'color: navy;\n  margin: 0;', new_string: 'color: navy;\n  margin: 1rem;' },
        { old_string: '2rem', new_string: '3rem' },
      ],
    });
    expect(result).toMatchObject({
      ok: true,
      edits: [
        { match: 'exact', replacements: 1 },
        { match: 'exact', replacements: 1 },
        { match: 'exact', replacements: 1 },
      ],
    });
    expect(ctx.sandbox.contentOf(TEST_SCOPE, 'style.css')).toBe(
      'body {\n  color: navy;\n  margin: 1rem;\n}\n\nh1 {\n    font-size: 3rem;\n}\n',
    );
  });

  it('writes nothing when one edit of the list misses, and says which one', async () => {
    const ctx = withCss();
    const result = await edit(ctx, {
      filename: 'style.css',
      edits: [
        { old_string: 'color: red;', new_string: 'color: navy;' },
        { old_string: 'padding: 4px;', new_string: 'padding: 8px;' },
      ],
    });
    expect(result).toEqual({
      ok: false,
      error: expect.stringMatching(
        /^edit 2 of 2: old_string was not found in style\.css.*Nothing was changed$/s,
      ),
    });
    expect(ctx.sandbox.contentOf(TEST_SCOPE, 'style.css')).toBe(CSS);
  });

  it('replaces every occurrence with replace_all and counts them', async () => {
    const ctx = withPage();
    const result = await edit(ctx, {
      filename: 'index.html',
      old_string: '<p>One</p>',
      new_string: '<p>Two</p>',
      replace_all: true,
    });
    expect(result).toMatchObject({ ok: true, edits: [{ match: 'exact', replacements: 2 }] });
    expect(ctx.sandbox.contentOf(TEST_SCOPE, 'index.html')).toBe(PAGE.replaceAll('One', 'Two'));
  });

  it('falls back to whole lines ignoring indentation and says so', async () => {
    const ctx = withCss();
    const result = await edit(ctx, {
      filename: 'style.css',
      old_string: 'h1 {\n  font-size:   2rem;\n}',
      new_string: 'h1 {\n    font-size: 2.5rem;\n}',
    });
    expect(result).toMatchObject({
      ok: true,
      edits: [{ match: 'whitespace-insensitive', replacements: 1 }],
    });
    expect(ctx.sandbox.contentOf(TEST_SCOPE, 'style.css')).toBe(
      'body {\n  color: red;\n  margin: 0;\n}\n\nh1 {\n    font-size: 2.5rem;\n}\n',
    );
  });

  it('refuses a whitespace-insensitive match that is not unique', async () => {
    const ctx = fakeToolContext();
    ctx.sandbox.seed(TEST_SCOPE, 'a.js', 'if (x) {\n  go();\n}\nif (x) {\n    go();\n}\n');
    const result = await edit(ctx, {
      filename: 'a.js',
      old_string: 'if (x) {\n go();\n}',
      new_string: 'stop();',
    });
    expect(result).toEqual({ ok: false, error: expect.stringContaining('matches 2 places') });
  });

  it('answers a miss with the closest lines of the file, numbered', async () => {
    const ctx = withCss();
    const result = await edit(ctx, {
      filename: 'style.css',
      old_string: 'h1 {\n  font-size: 2em;\n}',
      new_string: 'h1 { font-size: 3em; }',
    });
    expect(result).toEqual({
      ok: false,
      error: expect.stringContaining(
        'closest lines are:\n5| \n6| h1 {\n7|     font-size: 2rem;\n8| }\n9| \n',
      ),
    });
    expect(ctx.sandbox.contentOf(TEST_SCOPE, 'style.css')).toBe(CSS);
  });

  it('shows a few numbered lines around each change', async () => {
    const ctx = fakeToolContext();
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    ctx.sandbox.seed(TEST_SCOPE, 'a.txt', lines.join('\n'));
    const result = await edit(ctx, {
      filename: 'a.txt',
      edits: [
        { old_string: 'line 5\n', new_string: 'five\n' },
        { old_string: 'line 20\n', new_string: 'twenty\n' },
      ],
    });
    expect(result).toMatchObject({
      ok: true,
      changed_lines:
        '3| line 3\n4| line 4\n5| five\n6| line 6\n7| line 7\n---\n' +
        '18| line 18\n19| line 19\n20| twenty\n21| line 21\n22| line 22',
    });
  });

  it('refuses both forms at once, and an empty edits list', async () => {
    for (const args of [
      { filename: 'style.css', old_string: 'a', new_string: 'b', edits: [] },
      { filename: 'style.css', edits: [] },
      { filename: 'style.css', edits: [{ old_string: 'a' }] },
    ]) {
      expect(await edit(withCss(), args)).toMatchObject({ ok: false });
    }
  });

  // The line-wise fallback is KMP over line ids: a repetitive 1 MiB file must not make it quadratic.
  it('runs the whitespace-insensitive search over a repetitive 1 MiB file', async () => {
    const bytes = 1024 * 1024;
    const ctx = fakeToolContext({ maxFileBytes: bytes, maxSessionBytes: bytes });
    ctx.sandbox.seed(TEST_SCOPE, 'a.txt', 'a\n'.repeat(bytes / 2));
    const needle = ' a\n'.repeat(1000) + ' b';
    expect(await edit(ctx, { filename: 'a.txt', old_string: needle, new_string: 'x' })).toEqual({
      ok: false,
      error: expect.stringContaining('old_string was not found in a.txt'),
    });
  });
});
