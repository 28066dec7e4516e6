import { describe, expect, it } from '@jest/globals';
import { fakeToolContext, TEST_SCOPE, expectDescribedSchema } from '../testing/fake-sandbox.js';
import { ToolRegistry } from '../tool-registry.js';
import { writeFileTool } from './write-file.tool.js';

const registry = new ToolRegistry();
const write = (ctx: ReturnType<typeof fakeToolContext>, args: unknown) =>
  registry.execute('write_file', JSON.stringify(args), ctx);

describe('write_file', () => {
  it('creates a file and reports its name and size in UTF-8 bytes', async () => {
    const ctx = fakeToolContext();
    const result = await write(ctx, { filename: 'index.html', content: '<p>héllo</p>' });
    expect(result).toEqual({ ok: true, filename: 'index.html', size: 13 });
    expect(ctx.sandbox.contentOf(TEST_SCOPE, 'index.html')).toBe('<p>héllo</p>');
  });

  it('replaces an existing file entirely', async () => {
    const ctx = fakeToolContext();
    ctx.sandbox.seed(TEST_SCOPE, 'style.css', 'body { color: red; }');
    const result = await write(ctx, { filename: 'style.css', content: 'p{}' });
    expect(result).toEqual({ ok: true, filename: 'style.css', size: 3 });
    expect(ctx.sandbox.contentOf(TEST_SCOPE, 'style.css')).toBe('p{}');
  });

  it('writes into folders and accepts empty content', async () => {
    const ctx = fakeToolContext();
    expect(await write(ctx, { filename: 'js/app.js', content: '' })).toEqual({
      ok: true,
      filename: 'js/app.js',
      size: 0,
    });
    expect(ctx.sandbox.names(TEST_SCOPE)).toEqual(['js/app.js']);
  });

  it.each([
    ['a parent segment', '../x'],
    ['a parent segment in the middle', 'css/../../x'],
    ['percent-encoded traversal', '%2e%2e%2fetc%2fpasswd'],
    ['an absolute path', '/etc/passwd'],
    ['a backslash', 'js\\app.js'],
    ['an empty name', ''],
    ['a name over 255 characters', 'x'.repeat(256)],
  ])('refuses %s as a result, writing nothing', async (_label, filename) => {
    const ctx = fakeToolContext();
    const result = await write(ctx, { filename, content: 'x' });
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/^Invalid filename: /) });
    expect(ctx.sandbox.names(TEST_SCOPE)).toEqual([]);
  });

  it('refuses a file over the per-file limit, counted in bytes', async () => {
    const ctx = fakeToolContext({ maxFileBytes: 10, maxSessionBytes: 1000 });
    // 6 characters, 12 bytes
    const result = await write(ctx, { filename: 'a.txt', content: 'éééééé' });
    expect(result).toEqual({
      ok: false,
      error: 'File is 12 bytes; the limit is 10 bytes per file',
    });
    expect(ctx.sandbox.contentOf(TEST_SCOPE, 'a.txt')).toBeUndefined();
  });

  it('refuses a write that would take the sandbox over its total limit', async () => {
    const ctx = fakeToolContext({ maxFileBytes: 100, maxSessionBytes: 150 });
    expect((await write(ctx, { filename: 'a.txt', content: 'a'.repeat(100) })).ok).toBe(true);
    const result = await write(ctx, { filename: 'b.txt', content: 'b'.repeat(60) });
    expect(result).toEqual({
      ok: false,
      error: expect.stringContaining('limit is 150 bytes per session'),
    });
    expect(ctx.sandbox.names(TEST_SCOPE)).toEqual(['a.txt']);
  });

  it.each([
    [{ filename: 42, content: 'x' }, '"filename" must be a string'],
    [{ filename: ['index.html'], content: 'x' }, '"filename" must be a string'],
    [{ content: 'x' }, '"filename" must be a string'],
    [{ filename: 'index.html' }, '"content" must be a string'],
    [{ filename: 'index.html', content: { html: 'x' } }, '"content" must be a string'],
    [{ filename: 'index.html', content: null }, '"content" must be a string'],
  ])('refuses non-string arguments %j', async (args, error) => {
    const ctx = fakeToolContext();
    expect(await write(ctx, args)).toEqual({ ok: false, error });
    expect(ctx.sandbox.names(TEST_SCOPE)).toEqual([]);
  });

  it('has a schema with a description on every property and every property required', () => {
    expectDescribedSchema(writeFileTool, ['filename', 'content']);
    expect(writeFileTool.bulkyKeys).toEqual(['content']);
  });
});
