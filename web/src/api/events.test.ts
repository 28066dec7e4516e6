// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { message, step } from '../test/fixtures';
import { decodeTurnEvent, planItems } from './events';

describe('decodeTurnEvent', () => {
  it('types each known event with its payload', () => {
    const m = message({ role: 'user', status: 'completed', content: 'hi' });
    expect(decodeTurnEvent({ event: 'user_message', data: m })).toEqual({
      event: 'user_message',
      data: m,
    });
    const s = step();
    expect(decodeTurnEvent({ event: 'step', data: s })).toEqual({ event: 'step', data: s });
    expect(decodeTurnEvent({ event: 'delta', data: { content: 'Hel' } })).toEqual({
      event: 'delta',
      data: { content: 'Hel' },
    });
    expect(decodeTurnEvent({ event: 'reasoning', data: { content: 'Let me think' } })).toEqual({
      event: 'reasoning',
      data: { content: 'Let me think' },
    });
    const done = message({ status: 'completed', reasoning: 'thought', plan: null });
    expect(decodeTurnEvent({ event: 'done', data: done })).toEqual({ event: 'done', data: done });
  });

  it('reads a plan, keeping only well-formed entries', () => {
    const decoded = decodeTurnEvent({
      event: 'plan',
      data: {
        items: [
          { text: 'Write index.html', status: 'completed' },
          { text: 'Style it', status: 'in_progress' },
          { text: 'bad status', status: 'doing' },
          { status: 'pending' },
          'nonsense',
          { text: 'Add a form', status: 'pending' },
        ],
      },
    });
    expect(decoded).toEqual({
      event: 'plan',
      data: {
        items: [
          { text: 'Write index.html', status: 'completed' },
          { text: 'Style it', status: 'in_progress' },
          { text: 'Add a form', status: 'pending' },
        ],
      },
    });
  });

  it('keeps an empty plan (the model cleared it) but refuses a plan without items', () => {
    expect(decodeTurnEvent({ event: 'plan', data: { items: [] } })).toEqual({
      event: 'plan',
      data: { items: [] },
    });
    expect(decodeTurnEvent({ event: 'plan', data: {} })).toBeNull();
    expect(decodeTurnEvent({ event: 'plan', data: 'x' })).toBeNull();
  });

  it('gives the error detail, or null when the service sent none', () => {
    expect(decodeTurnEvent({ event: 'error', data: { detail: 'Provider down' } })).toEqual({
      event: 'error',
      data: { detail: 'Provider down' },
    });
    expect(decodeTurnEvent({ event: 'error', data: 'not json' })).toEqual({
      event: 'error',
      data: { detail: null },
    });
  });

  it('skips unknown events and payloads that do not fit', () => {
    expect(decodeTurnEvent({ event: 'queued', data: { position: 1 } })).toBeNull();
    expect(decodeTurnEvent({ event: 'message', data: 'ping' })).toBeNull();
    expect(decodeTurnEvent({ event: 'delta', data: { content: 3 } })).toBeNull();
    expect(decodeTurnEvent({ event: 'reasoning', data: 'raw text' })).toBeNull();
    expect(decodeTurnEvent({ event: 'step', data: { id: 'x' } })).toBeNull();
    expect(decodeTurnEvent({ event: 'done', data: { ...message(), role: 'system' } })).toBeNull();
    expect(decodeTurnEvent({ event: 'user_message', data: null })).toBeNull();
  });
});

describe('planItems', () => {
  it('is null for anything but an array', () => {
    expect(planItems(null)).toBeNull();
    expect(planItems({ items: [] })).toBeNull();
    expect(planItems([{ text: 'a', status: 'pending' }])).toEqual([
      { text: 'a', status: 'pending' },
    ]);
  });
});
