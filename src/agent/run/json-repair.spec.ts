import { describe, expect, it } from '@jest/globals';
import { removeTrailingCommas, repairArguments } from './json-repair.js';

describe('repairArguments', () => {
  it('keeps valid arguments as they came, without a repair note', () => {
    expect(repairArguments('{"a": 1}')).toEqual({ json: '{"a": 1}', value: { a: 1 } });
    expect(repairArguments('')).toEqual({ json: '', value: {} });
  });

  it('removes trailing commas outside strings', () => {
    expect(repairArguments('{"a": [1, 2,], "b": "x,}",\n}')).toEqual({
      json: '{"a":[1,2],"b":"x,}"}',
      value: { a: [1, 2], b: 'x,}' },
      repaired: 'trailing commas removed',
    });
  });

  it('decodes arguments double-encoded as a JSON string', () => {
    const raw = JSON.stringify(JSON.stringify({ filename: 'a.html' }));
    expect(repairArguments(raw)).toEqual({
      json: '{"filename":"a.html"}',
      value: { filename: 'a.html' },
      repaired: 'arguments were double-encoded as a JSON string',
    });
  });

  it('refuses what is not an object even after repair', () => {
    expect(repairArguments('[1, 2]')).toBeNull();
    expect(repairArguments('{"a": ')).toBeNull();
    expect(repairArguments('"just text"')).toBeNull();
  });

  it('does not touch commas inside strings with escaped quotes', () => {
    expect(removeTrailingCommas('{"a": "say \\",}\\""}')).toBe('{"a": "say \\",}\\""}');
  });
});
