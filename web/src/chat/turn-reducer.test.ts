// @vitest-environment node
import { describe, expect, it } from 'vitest';
import type { TurnEvent } from '../api/events';
import { message, step } from '../test/fixtures';
import { freshTurn, reduceTurn, upsertStep, type LiveTurn } from './turn-reducer';

const run = (events: TurnEvent[], from: LiveTurn = freshTurn('Build a site', false)) =>
  events.reduce(reduceTurn, from);

describe('reduceTurn', () => {
  it('starts empty, keeping what was sent and how the turn is followed', () => {
    expect(freshTurn('hi', false)).toMatchObject({
      sent: 'hi',
      attached: false,
      text: '',
      reasoning: '',
      plan: null,
      steps: [],
      done: null,
      error: null,
    });
    expect(freshTurn(null, true)).toMatchObject({ sent: null, attached: true });
  });

  it('appends reasoning deltas apart from the answer text', () => {
    const turn = run([
      { event: 'reasoning', data: { content: 'The user wants ' } },
      { event: 'reasoning', data: { content: 'a bakery site.' } },
      { event: 'delta', data: { content: 'I will ' } },
      { event: 'reasoning', data: { content: ' Start with HTML.' } },
      { event: 'delta', data: { content: 'build it.' } },
    ]);
    expect(turn.reasoning).toBe('The user wants a bakery site. Start with HTML.');
    expect(turn.text).toBe('I will build it.');
  });

  it('replaces the plan whole at each plan event', () => {
    const first = [
      { text: 'Write index.html', status: 'in_progress' as const },
      { text: 'Write style.css', status: 'pending' as const },
    ];
    const second = [
      { text: 'Write index.html', status: 'completed' as const },
      { text: 'Write style.css', status: 'in_progress' as const },
    ];
    const turn = run([
      { event: 'plan', data: { items: first } },
      { event: 'plan', data: { items: second } },
    ]);
    expect(turn.plan).toEqual(second);
    expect(run([{ event: 'plan', data: { items: [] } }]).plan).toEqual([]);
  });

  it('keeps the plan and reasoning while steps, text and the end arrive', () => {
    const items = [{ text: 'Write index.html', status: 'in_progress' as const }];
    const done = message({ status: 'completed', content: 'Done.', reasoning: 'thinking' });
    const turn = run([
      { event: 'reasoning', data: { content: 'thinking' } },
      { event: 'plan', data: { items } },
      { event: 'step', data: step({ id: 1 }) },
      { event: 'delta', data: { content: 'Done.' } },
      { event: 'done', data: done },
    ]);
    expect(turn).toMatchObject({ reasoning: 'thinking', plan: items, text: 'Done.', done });
    expect(turn.steps).toHaveLength(1);
  });

  it('stores the user message, the steps by id, and the error with a fallback text', () => {
    const user = message({ id: 1, role: 'user', status: 'completed', content: 'Build a site' });
    const turn = run([
      { event: 'user_message', data: user },
      { event: 'step', data: step({ id: 2, status: 'running' }) },
      { event: 'step', data: step({ id: 1, status: 'running' }) },
      { event: 'step', data: step({ id: 2, status: 'completed', progress: 100 }) },
      { event: 'error', data: { detail: null } },
    ]);
    expect(turn.user).toEqual(user);
    expect(turn.steps.map((s) => [s.id, s.status])).toEqual([
      [1, 'running'],
      [2, 'completed'],
    ]);
    expect(turn.error).toBe('The turn failed.');
    expect(run([{ event: 'error', data: { detail: 'Budget reached' } }]).error).toBe(
      'Budget reached',
    );
  });

  it('never changes the turn it is given', () => {
    const before = freshTurn('x', false);
    const snapshot = structuredClone(before);
    reduceTurn(before, { event: 'reasoning', data: { content: 'a' } });
    reduceTurn(before, { event: 'plan', data: { items: [] } });
    reduceTurn(before, { event: 'step', data: step() });
    expect(before).toEqual(snapshot);
  });
});

describe('upsertStep', () => {
  it('adds in id order and replaces by id', () => {
    const a = step({ id: 3 });
    const b = step({ id: 1 });
    const steps = upsertStep(upsertStep([], a), b);
    expect(steps.map((s) => s.id)).toEqual([1, 3]);
    const replaced = upsertStep(steps, step({ id: 3, status: 'failed', error: 'boom' }));
    expect(replaced.map((s) => s.status)).toEqual(['running', 'failed']);
    expect(steps[1].status).toBe('running');
  });
});
