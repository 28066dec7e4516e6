import { describe, expect, it } from '@jest/globals';
import type { LlmMessage } from '../llm/llm-client.js';
import { mergeRoles } from './merge-roles.js';

describe('mergeRoles', () => {
  it('joins consecutive user messages and consecutive plain assistant messages', () => {
    const messages: LlmMessage[] = [
      { role: 'system', content: 's' },
      { role: 'user', content: 'one' },
      { role: 'user', content: 'two' },
      { role: 'assistant', content: 'a' },
      { role: 'assistant', content: null },
      { role: 'assistant', content: 'b' },
    ];
    expect(mergeRoles(messages)).toEqual([
      { role: 'system', content: 's' },
      { role: 'user', content: 'one\n\ntwo' },
      { role: 'assistant', content: 'a\n\nb' },
    ]);
  });

  it('never merges tool results or an assistant message that made tool calls', () => {
    const call = { id: 'c', name: 'list_files', arguments: '{}' };
    const messages: LlmMessage[] = [
      { role: 'assistant', content: 'x' },
      { role: 'assistant', content: null, toolCalls: [call] },
      { role: 'tool', toolCallId: 'c', content: '{}' },
      { role: 'tool', toolCallId: 'd', content: '{}' },
    ];
    expect(mergeRoles(messages)).toEqual(messages);
  });
});
