import { describe, expect, it } from '@jest/globals';
import { expectDescribedSchema, fakeToolContext, TEST_SCOPE } from '../testing/fake-sandbox.js';
import { ToolRegistry } from '../tool-registry.js';
import { moveFileTool } from './move-file.tool.js';

const registry = new ToolRegistry();
const move = (ctx: ReturnType<typeof fakeToolContext>, args: unknown) =>
  registry.execute('move_file', JSON.stringify(args), ctx);

describe('move_file', () => {
  it('moves a file to a new path, content and all', async () => {
    const ctx = fakeToolContext();
    ctx.sandbox.seed(TEST_SCOPE, 'app.js', 'run();');
    expect(await move(ctx, { from: 'app.js', to: 'js/app.js' })).toEqual({
      ok: true,
      from: 'app.js',
      to: 'js/app.js',
      size: 6,
    });
    expect(ctx.sandbox.names(TEST_SCOPE)).toEqual(['js/app.js']);
    expect(ctx.sandbox.contentOf(TEST_SCOPE, 'js/app.js')).toBe('run();');
  });

  it('refuses to overwrite an existing file, leaving both alone', async () => {
    const ctx = fakeToolContext();
    ctx.sandbox.seed(TEST_SCOPE, 'a.css', 'a');
    ctx.sandbox.seed(TEST_SCOPE, 'b.css', 'b');
    expect(await move(ctx, { from: 'a.css', to: 'b.css' })).toEqual({
      ok: false,
      error: 'b.css already exists; delete it first or choose another name',
    });
    expect(ctx.sandbox.contentOf(TEST_SCOPE, 'b.css')).toBe('b');
    expect(ctx.sandbox.contentOf(TEST_SCOPE, 'a.css')).toBe('a');
  });

  it.each([
    [{ from: 'missing.js', to: 'x.js' }, 'File not found: missing.js'],
    [{ from: 'a.css', to: '../a.css' }, expect.stringMatching(/^Invalid filename: /)],
    [{ from: 'a.css', to: 'a.css' }, 'a.css is already at that path'],
    [{ from: 'a.css' }, '"to" must be a string'],
  ])('refuses %j as a result', async (args, error) => {
    const ctx = fakeToolContext();
    ctx.sandbox.seed(TEST_SCOPE, 'a.css', 'a');
    expect(await move(ctx, args)).toEqual({ ok: false, error });
    expect(ctx.sandbox.names(TEST_SCOPE)).toEqual(['a.css']);
  });

  it('has a schema with a description on every property and every property required', () => {
    expectDescribedSchema(moveFileTool, ['from', 'to']);
  });
});
