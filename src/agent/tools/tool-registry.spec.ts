import { describe, expect, it } from '@jest/globals';
import type { AgentTool } from './agent-tool.js';
import { fakeToolContext, TEST_SCOPE } from './testing/fake-sandbox.js';
import { AGENT_TOOLS, parseArguments, ToolRegistry } from './tool-registry.js';

const TOOL_NAMES = [
  'write_file',
  'read_file',
  'list_files',
  'delete_file',
  'edit_file',
  'search_files',
  'move_file',
  'get_preview_errors',
  'update_plan',
];

describe('ToolRegistry', () => {
  const registry = new ToolRegistry();

  describe('specs', () => {
    it('offers all nine tools with their description and schema', () => {
      const specs = registry.specs();
      expect(specs.map((s) => s.name)).toEqual(TOOL_NAMES);
      for (const spec of specs) {
        expect(Object.keys(spec).sort()).toEqual(['description', 'name', 'parameters']);
        expect(spec.description.length).toBeGreaterThan(10);
        expect(spec.parameters).toMatchObject({ type: 'object', additionalProperties: false });
      }
    });

    /** Properties a tool documents as optional (the rest are required strings). */
    const OPTIONAL: Record<string, string[]> = {
      read_file: ['start_line', 'max_lines'],
      edit_file: ['old_string', 'new_string', 'replace_all', 'edits'],
      search_files: ['glob'],
    };

    /** Required properties that are lists rather than strings (update_plan's items). */
    const REQUIRED_LISTS = ['items'];

    it.each(AGENT_TOOLS.map((t) => [t.name, t] as const))(
      '%s describes every property and requires each one but its documented optional ones',
      (_name, tool) => {
        const schema = tool.parameters as {
          properties: Record<string, { type?: string; description?: string }>;
          required?: string[];
        };
        const properties = Object.entries(schema.properties);
        expect(properties.filter(([, p]) => !p.description?.trim()).map(([key]) => key)).toEqual(
          [],
        );
        const optional = OPTIONAL[tool.name] ?? [];
        expect(
          properties
            .filter(
              ([key, p]) =>
                p.type !== 'string' && !optional.includes(key) && !REQUIRED_LISTS.includes(key),
            )
            .map(([key]) => key),
        ).toEqual([]);
        expect([...(schema.required ?? [])].sort()).toEqual(
          properties
            .map(([key]) => key)
            .filter((key) => !optional.includes(key))
            .sort(),
        );
      },
    );

    it('names bulky keys only among the properties of each tool', () => {
      for (const tool of AGENT_TOOLS) {
        const properties = Object.keys((tool.parameters as { properties: object }).properties);
        for (const key of tool.bulkyKeys) {
          expect(properties).toContain(key);
        }
      }
    });
  });

  describe('execute', () => {
    it('answers an unknown tool with a result naming the available tools', async () => {
      const result = await registry.execute('run_shell', '{"cmd":"ls"}', fakeToolContext());
      expect(result.ok).toBe(false);
      const { error } = result as { error: string };
      expect(error).toContain('Unknown tool "run_shell"');
      for (const name of TOOL_NAMES) {
        expect(error).toContain(name);
      }
    });

    it.each(['{"filename": "index.html"', '{filename: "a"}', 'not json', '{"a":1}}'])(
      'answers malformed JSON arguments %j with a result',
      async (raw) => {
        const ctx = fakeToolContext();
        expect(await registry.execute('write_file', raw, ctx)).toEqual({
          ok: false,
          error: 'Invalid JSON arguments for write_file: expected a JSON object',
        });
        expect(ctx.sandbox.names(TEST_SCOPE)).toEqual([]);
      },
    );

    it.each(['[]', '"index.html"', '42', 'null', 'true'])(
      'answers JSON that is not an object (%s) with a result',
      async (raw) => {
        expect(await registry.execute('read_file', raw, fakeToolContext())).toEqual({
          ok: false,
          error: 'Invalid JSON arguments for read_file: expected a JSON object',
        });
      },
    );

    it.each(['', '   ', '\n'])('treats the empty arguments string %j as {}', async (raw) => {
      expect(await registry.execute('list_files', raw, fakeToolContext())).toEqual({
        ok: true,
        files: [],
        total_size: 0,
      });
      expect(await registry.execute('read_file', raw, fakeToolContext())).toEqual({
        ok: false,
        error: '"filename" must be a string',
      });
    });

    it('runs the tool with the parsed arguments', async () => {
      const ctx = fakeToolContext();
      const result = await registry.execute(
        'write_file',
        ' {"filename":"a.txt","content":"hi"} ',
        ctx,
      );
      expect(result).toEqual({ ok: true, filename: 'a.txt', size: 2 });
      expect(ctx.sandbox.contentOf(TEST_SCOPE, 'a.txt')).toBe('hi');
    });

    it('lets an unexpected (non-domain) error through, so it is not shown to the model', async () => {
      const broken: AgentTool = {
        name: 'broken',
        description: 'always throws',
        parameters: { type: 'object', properties: {} },
        bulkyKeys: [],
        execute: () => Promise.reject(new TypeError('database is down')),
      };
      await expect(
        new ToolRegistry([broken]).execute('broken', '{}', fakeToolContext()),
      ).rejects.toThrow('database is down');
    });
  });

  describe('summarize', () => {
    it('records write_file content by its UTF-8 size as content_bytes', () => {
      expect(
        registry.summarize('write_file', { filename: 'index.html', content: 'héllo' }),
      ).toEqual({
        filename: 'index.html',
        content_bytes: 6,
      });
    });

    it('records both strings of edit_file by size, even short ones', () => {
      expect(
        registry.summarize('edit_file', { filename: 'a.css', old_string: 'red', new_string: '' }),
      ).toEqual({ filename: 'a.css', old_string_bytes: 3, new_string_bytes: 0 });
    });

    it('keeps small values as they are', () => {
      expect(
        registry.summarize('read_file', {
          filename: 'x'.repeat(200),
          n: 3,
          flag: false,
          none: null,
        }),
      ).toEqual({ filename: 'x'.repeat(200), n: 3, flag: false, none: null });
    });

    it('records any string over 200 characters by its byte size', () => {
      expect(registry.summarize('read_file', { filename: 'é'.repeat(201) })).toEqual({
        filename_bytes: 402,
      });
      expect(registry.summarize('no_such_tool', { note: 'y'.repeat(500), short: 'ok' })).toEqual({
        note_bytes: 500,
        short: 'ok',
      });
    });

    it('drops objects and arrays rather than storing them whole', () => {
      expect(
        registry.summarize('write_file', {
          filename: 'a',
          content: 'b',
          extra: { deep: 'x'.repeat(10_000) },
          list: [1],
        }),
      ).toEqual({ filename: 'a', content_bytes: 1 });
    });
  });
});

describe('parseArguments', () => {
  it('parses a JSON object', () => {
    expect(parseArguments('{"a":1,"b":"é"}')).toEqual({ a: 1, b: 'é' });
  });

  it('reads blank text as an empty object', () => {
    expect(parseArguments('')).toEqual({});
    expect(parseArguments(' \t')).toEqual({});
  });

  it.each(['{', '[1]', '"s"', '1', 'null'])('returns null for %j', (raw) => {
    expect(parseArguments(raw)).toBeNull();
  });
});
