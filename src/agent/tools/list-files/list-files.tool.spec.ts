import { describe, expect, it } from '@jest/globals';
import { fakeToolContext, TEST_SCOPE } from '../testing/fake-sandbox.js';
import { ToolRegistry } from '../tool-registry.js';
import { listFilesTool } from './list-files.tool.js';

const registry = new ToolRegistry();

describe('list_files', () => {
  it('lists an empty sandbox', async () => {
    expect(await registry.execute('list_files', '{}', fakeToolContext())).toEqual({
      ok: true,
      files: [],
      total_size: 0,
    });
  });

  it('lists every file with its size in bytes, sorted, and the total', async () => {
    const ctx = fakeToolContext();
    ctx.sandbox.seed(TEST_SCOPE, 'style.css', 'p{}');
    ctx.sandbox.seed(TEST_SCOPE, 'index.html', 'héllo');
    ctx.sandbox.seed(TEST_SCOPE, 'js/app.js', '');
    expect(await registry.execute('list_files', '', ctx)).toEqual({
      ok: true,
      files: [
        { name: 'index.html', size: 6 },
        { name: 'js/app.js', size: 0 },
        { name: 'style.css', size: 3 },
      ],
      total_size: 9,
    });
  });

  it('lists only the sandbox of its own scope', async () => {
    const ctx = fakeToolContext();
    ctx.sandbox.seed({ userId: 2, sessionId: 'b'.repeat(32) }, 'secret.txt', 'other user');
    expect(await registry.execute('list_files', '{}', ctx)).toEqual({
      ok: true,
      files: [],
      total_size: 0,
    });
  });

  it('ignores arguments it does not take', async () => {
    const ctx = fakeToolContext();
    ctx.sandbox.seed(TEST_SCOPE, 'a.txt', 'a');
    const result = await registry.execute('list_files', '{"path":"../"}', ctx);
    expect(result).toEqual({ ok: true, files: [{ name: 'a.txt', size: 1 }], total_size: 1 });
  });

  it('reports arguments that are not a JSON object as a result', async () => {
    expect(await registry.execute('list_files', '[]', fakeToolContext())).toEqual({
      ok: false,
      error: expect.stringContaining('Invalid JSON arguments for list_files'),
    });
  });

  it('has an object schema without properties or required fields', () => {
    const schema = listFilesTool.parameters as {
      type: string;
      properties: Record<string, unknown>;
      required?: string[];
    };
    expect(schema.type).toBe('object');
    expect(schema.properties).toEqual({});
    expect(schema.required ?? []).toEqual([]);
  });
});
