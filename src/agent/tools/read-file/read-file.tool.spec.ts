import { describe, expect, it } from '@jest/globals';
import { fakeToolContext, TEST_SCOPE } from '../testing/fake-sandbox.js';
import { ToolRegistry } from '../tool-registry.js';
import { readFileTool } from './read-file.tool.js';

const registry = new ToolRegistry();
const read = (ctx: ReturnType<typeof fakeToolContext>, args: unknown) =>
  registry.execute('read_file', JSON.stringify(args), ctx);

describe('read_file', () => {
  it('returns the name, size, line count and the numbered content of a file', async () => {
    const ctx = fakeToolContext();
    ctx.sandbox.seed(TEST_SCOPE, 'css/style.css', 'h1 { content: "é"; }\nh2 {}\n');
    expect(await read(ctx, { filename: 'css/style.css' })).toEqual({
      ok: true,
      filename: 'css/style.css',
      size: 28,
      total_lines: 2,
      start_line: 1,
      end_line: 2,
      content: '1\th1 { content: "é"; }\n2\th2 {}',
    });
  });

  it('reads from start_line, at most max_lines, and says where the rest is', async () => {
    const ctx = fakeToolContext();
    const lines = Array.from({ length: 50 }, (_, i) => `line ${i + 1}`);
    ctx.sandbox.seed(TEST_SCOPE, 'a.txt', lines.join('\n'));
    const result = await read(ctx, { filename: 'a.txt', start_line: 10, max_lines: 3 });
    expect(result).toMatchObject({
      ok: true,
      total_lines: 50,
      start_line: 10,
      end_line: 12,
      content: '10\tline 10\n11\tline 11\n12\tline 12',
      note: expect.stringMatching(/start_line: 13/),
    });
  });

  it('truncates a long file with a note, and answers a start past the end', async () => {
    const ctx = fakeToolContext();
    ctx.sandbox.seed(TEST_SCOPE, 'big.txt', Array(5000).fill('x'.repeat(100)).join('\n'));
    const result = (await read(ctx, { filename: 'big.txt' })) as Record<string, unknown>;
    expect(result).toMatchObject({ ok: true, total_lines: 5000, start_line: 1 });
    expect(String(result.content).length).toBeLessThanOrEqual(50_000);
    expect(result.end_line).toBeLessThan(5000);
    expect(result.note).toMatch(/truncated.*start_line: \d+/);
    expect(await read(ctx, { filename: 'big.txt', start_line: 6000 })).toEqual({
      ok: false,
      error: 'start_line 6000 is past the end of big.txt (5000 lines)',
    });
  });

  it('answers a binary file with its type and size, not its bytes', async () => {
    const ctx = fakeToolContext();
    ctx.sandbox.seed(TEST_SCOPE, 'img/logo.png', '\u0089PNG\r\n\u001a\n\u0000\u0000\ufffd\ufffd');
    const result = await read(ctx, { filename: 'img/logo.png' });
    expect(result).toEqual({
      ok: true,
      filename: 'img/logo.png',
      size: expect.any(Number),
      binary: true,
      type: 'image/png',
      note: expect.stringMatching(/binary/),
    });
  });

  it.each([
    [{ filename: 'a.txt', start_line: 0 }, /start_line/],
    [{ filename: 'a.txt', start_line: 1.5 }, /start_line/],
    [{ filename: 'a.txt', max_lines: 0 }, /max_lines/],
    [{ filename: 'a.txt', max_lines: '5' }, /max_lines/],
  ])('refuses %j', async (args, error) => {
    const ctx = fakeToolContext();
    ctx.sandbox.seed(TEST_SCOPE, 'a.txt', 'a');
    expect(await read(ctx, args)).toEqual({ ok: false, error: expect.stringMatching(error) });
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

  it('has a schema with a description on every property, filename required', () => {
    const schema = readFileTool.parameters as {
      properties: Record<string, { description?: string }>;
      required: string[];
    };
    expect(Object.keys(schema.properties).sort()).toEqual(['filename', 'max_lines', 'start_line']);
    for (const property of Object.values(schema.properties)) {
      expect(property.description).toEqual(expect.stringMatching(/\w{3,}/));
    }
    expect(schema.required).toEqual(['filename']);
  });
});
