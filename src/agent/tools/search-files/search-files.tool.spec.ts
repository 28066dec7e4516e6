import { describe, expect, it } from '@jest/globals';
import { fakeToolContext, TEST_SCOPE } from '../testing/fake-sandbox.js';
import { ToolRegistry } from '../tool-registry.js';
import { globSource, MAX_MATCHES } from './bounded-regex.js';
import { searchFilesTool } from './search-files.tool.js';

const registry = new ToolRegistry();
const search = (ctx: ReturnType<typeof fakeToolContext>, args: unknown) =>
  registry.execute('search_files', JSON.stringify(args), ctx);

function site() {
  const ctx = fakeToolContext({ maxFileBytes: 1_000_000, maxSessionBytes: 5_000_000 });
  ctx.sandbox.seed(TEST_SCOPE, 'index.html', '<main>\n  <h1 class="hero">Hi</h1>\n</main>\n');
  ctx.sandbox.seed(TEST_SCOPE, 'css/site.css', '.hero {\n  color: red;\n}\n');
  ctx.sandbox.seed(TEST_SCOPE, 'js/app.js', 'function init() {\n  hero();\n}\n');
  return ctx;
}

describe('search_files', () => {
  it('answers every matching line with its file and line number', async () => {
    expect(await search(site(), { pattern: 'hero' })).toEqual({
      ok: true,
      matches: [
        { file: 'css/site.css', line: 1, text: '.hero {' },
        { file: 'index.html', line: 2, text: '  <h1 class="hero">Hi</h1>' },
        { file: 'js/app.js', line: 2, text: '  hero();' },
      ],
      total_matches: 3,
      files_searched: 3,
    });
  });

  it('takes a regular expression and a glob that matches names in any folder', async () => {
    expect(
      await search(site(), { pattern: '^\\s*\\w+\\(\\);$', glob: '*.{js,css}' }),
    ).toMatchObject({
      ok: true,
      matches: [{ file: 'js/app.js', line: 2, text: '  hero();' }],
      files_searched: 2,
    });
    expect(await search(site(), { pattern: 'hero', glob: 'css/**' })).toMatchObject({
      matches: [{ file: 'css/site.css', line: 1 }],
    });
  });

  it('lists at most the first matches and says how many there were', async () => {
    const ctx = fakeToolContext({ maxFileBytes: 1_000_000, maxSessionBytes: 1_000_000 });
    ctx.sandbox.seed(TEST_SCOPE, 'a.txt', 'x\n'.repeat(MAX_MATCHES + 20));
    const result = (await search(ctx, { pattern: 'x' })) as unknown as {
      matches: unknown[];
      note: string;
    };
    expect(result).toMatchObject({ ok: true, total_matches: MAX_MATCHES + 20 });
    expect(result.matches).toHaveLength(MAX_MATCHES);
    expect(result.note).toContain('narrow');
  });

  it('stops a catastrophically backtracking pattern at its time bound, as a result', async () => {
    const ctx = fakeToolContext({ maxFileBytes: 1_000_000, maxSessionBytes: 1_000_000 });
    ctx.sandbox.seed(TEST_SCOPE, 'a.txt', `${'a'.repeat(40)}b\n`.repeat(50));
    expect(await search(ctx, { pattern: '^(a+)+$' })).toEqual({
      ok: false,
      error: expect.stringContaining('was stopped'),
    });
  });

  it.each([
    [{ pattern: '(' }, expect.stringContaining('Invalid regular expression')],
    [{ pattern: '' }, 'The pattern must be 1 to 500 characters'],
    [{ pattern: 'a'.repeat(501) }, 'The pattern must be 1 to 500 characters'],
    [{ pattern: 5 }, '"pattern" must be a string'],
    [{ pattern: 'a', glob: 3 }, '"glob" must be a string'],
  ])('refuses %j as a result', async (args, error) => {
    expect(await search(site(), args)).toEqual({ ok: false, error });
  });

  it('turns globs into anchored path patterns', () => {
    expect(new RegExp(globSource('*.css')).test('deep/in/site.css')).toBe(true);
    expect(new RegExp(globSource('*.css')).test('site.css.map')).toBe(false);
    expect(new RegExp(globSource('js/*.js')).test('js/lib/a.js')).toBe(false);
    expect(new RegExp(globSource('js/**/*.js')).test('js/lib/a.js')).toBe(true);
    expect(new RegExp(globSource('js/**/*.js')).test('js/a.js')).toBe(true);
    expect(new RegExp(globSource('a,b.txt')).test('a,b.txt')).toBe(true);
  });

  it('describes every property; only the pattern is required', () => {
    const schema = searchFilesTool.parameters as {
      properties: Record<string, { description: string }>;
      required: string[];
    };
    expect(Object.keys(schema.properties).sort()).toEqual(['glob', 'pattern']);
    for (const p of Object.values(schema.properties)) {
      expect(p.description.length).toBeGreaterThan(20);
    }
    expect(schema.required).toEqual(['pattern']);
  });
});
