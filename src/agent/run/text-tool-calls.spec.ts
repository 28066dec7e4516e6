import { describe, expect, it } from '@jest/globals';
import { extractTextToolCalls, streamableLength } from './text-tool-calls.js';

describe('extractTextToolCalls', () => {
  it('reads a Hermes/Qwen <tool_call> with JSON and removes its markup', () => {
    const text =
      'Writing it.\n<tool_call>\n{"name": "write_file", "arguments": {"filename": "a.html", "content": "<p>"}}\n</tool_call>';
    expect(extractTextToolCalls(text)).toEqual({
      content: 'Writing it.',
      calls: [{ name: 'write_file', arguments: '{"filename":"a.html","content":"<p>"}' }],
    });
  });

  it('reads several calls, one left open at the end of the answer', () => {
    const text =
      '<tool_call>{"name": "list_files", "arguments": {}}</tool_call>\n<tool_call>{"name": "read_file", "arguments": {"filename": "a"}}';
    expect(extractTextToolCalls(text).calls.map((c) => c.name)).toEqual([
      'list_files',
      'read_file',
    ]);
  });

  it('keeps arguments sent as a string for the repair that follows', () => {
    const text =
      '<tool_call>{"name": "read_file", "arguments": "{\\"filename\\": \\"a\\"}"}</tool_call>';
    expect(extractTextToolCalls(text).calls).toEqual([
      { name: 'read_file', arguments: '{"filename": "a"}' },
    ]);
  });

  it('reads a Qwen3-Coder <function=…> call, values without the newlines of the markup', () => {
    const text =
      '<tool_call>\n<function=write_file>\n<parameter=filename>\nstyle.css\n</parameter>\n<parameter=content>\nbody {\n  color: red;\n}\n</parameter>\n</function>\n</tool_call>';
    const { content, calls } = extractTextToolCalls(text);
    expect(content).toBe('');
    expect(JSON.parse(calls[0].arguments)).toEqual({
      filename: 'style.css',
      content: 'body {\n  color: red;\n}',
    });
  });

  it('parses non-string parameters as JSON and keeps string ones as written', () => {
    const text =
      '<function=read_file><parameter=filename>\n42\n</parameter><parameter=start_line>\n3\n</parameter></function>';
    const isString = (_tool: string, key: string) => key === 'filename';
    expect(JSON.parse(extractTextToolCalls(text, isString).calls[0].arguments)).toEqual({
      filename: '42',
      start_line: 3,
    });
  });

  it('leaves a text without markup exactly as it is', () => {
    expect(extractTextToolCalls('  Hello <b>there</b>  ')).toEqual({
      content: '  Hello <b>there</b>  ',
      calls: [],
    });
  });
});

describe('streamableLength', () => {
  it('shows everything before the first markup', () => {
    expect(streamableLength('Sure. <tool_call>{"name"')).toBe(6);
    expect(streamableLength('x<function=write_file>')).toBe(1);
  });

  it('holds back a trailing piece that may start the markup', () => {
    expect(streamableLength('Sure. <tool')).toBe(6);
    expect(streamableLength('Sure. <func')).toBe(6);
    expect(streamableLength('a < b')).toBe(5);
    expect(streamableLength('<b>bold</b>')).toBe(11);
  });
});
