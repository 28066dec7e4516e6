/**
 * Issue 19, models as they are, item 3: condense, don't only cut. When a request passes the context
 * budget (AGENT_CONTEXT_TOKENS here), the model first summarises the turn's older rounds in one
 * request without tools; the summary replaces them, is stored with the turn, and a later turn whose
 * history was cut starts from it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fileContent, llmEnv, postMessage } from '../support/agent-helpers.js';
import {
  callTools,
  FakeOpenAi,
  say,
  streamed,
  type RecordedRequest,
} from '../support/fake-openai.js';
import { createSession, registerUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('models as they are: condensing older rounds', () => {
  const fake = new FakeOpenAi(() => streamed(say('unscripted')));
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    await fake.start();
    t = await startTestApp(
      llmEnv(fake, {
        AGENT_CONTEXT_TOKENS: '3000',
        // The first turn's long answer does not fit: the second turn's history is cut.
        AGENT_HISTORY_CHARS: '200',
      }),
    );
    user = await registerUser(t.http);
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  const noTools = (req: RecordedRequest) => !req.body.tools?.length;
  const big = 'a'.repeat(16_000);
  const SUMMARY = 'Wrote big.txt (16 000 a), b.txt and c.txt. Nothing is left to do.';
  const ANSWER = 'Done: three files. ' + 'd'.repeat(300);

  it('summarises older rounds in one request without tools, sends the summary instead, and stores it', async () => {
    const sessionId = await createSession(t.http, user.token);
    const first = fake.requests.length;
    let round = 0;
    fake.script = (req) => {
      if (noTools(req)) {
        return streamed(say(SUMMARY));
      }
      const files = ['big.txt', 'b.txt', 'c.txt'];
      const filename = files[round++];
      return filename
        ? streamed(
            callTools([
              { name: 'write_file', args: { filename, content: round === 1 ? big : 'small' } },
            ]),
          )
        : streamed(say(ANSWER));
    };
    const res = await postMessage(t.http, user.token, sessionId, 'write three files');
    expect(res.body).toMatchObject({ status: 'completed', content: ANSWER });

    const requests = fake.requests.slice(first).map((r) => r.body);
    expect(requests).toHaveLength(5);
    // Rounds 1-3 with tools, then the summary request, then the round that carries the summary.
    expect(requests.slice(0, 3).every((b) => b.tools?.length > 0)).toBe(true);
    const [summaryRequest, next] = requests.slice(3);
    expect(summaryRequest.tools ?? []).toEqual([]);
    expect(JSON.stringify(summaryRequest.messages.at(-1))).toMatch(/summary of the work/);
    // It holds the older rounds (their bulky contents as stubs: the request must fit the budget too).
    const summarised = (summaryRequest.messages as any[]).flatMap((m) =>
      (m.tool_calls ?? []).map((c: any) => JSON.parse(c.function.arguments).filename),
    );
    expect(summarised).toEqual(['big.txt', 'b.txt']);
    const text = JSON.stringify(next.messages);
    expect(text).toContain(SUMMARY);
    expect(text).not.toContain(big);
    expect(text).not.toContain('big.txt\\",\\"content');
    // Every call left has its result right after it: the latest round only.
    const messages = next.messages as any[];
    const calls = messages.flatMap((m) => (m.tool_calls ?? []).map((c: any) => c.id));
    expect(calls).toHaveLength(1);
    expect(messages.filter((m) => m.role === 'tool').map((m) => m.tool_call_id)).toEqual(calls);
    expect((await fileContent(t.http, user.token, sessionId, 'big.txt')).body.content).toBe(big);

    const [stored] = await t.db.query<{ context_summary: string | null }>(
      `SELECT context_summary FROM messages WHERE id = $1`,
      [res.body.id],
    );
    expect(stored.context_summary).toBe(SUMMARY);

    // A later turn: its history is cut for AGENT_HISTORY_CHARS, so it starts from the stored summary.
    const later = fake.requests.length;
    fake.script = () => streamed(say('Sure.'));
    const again = await postMessage(t.http, user.token, sessionId, 'and now?');
    expect(again.body).toMatchObject({ status: 'completed', content: 'Sure.' });
    const [followUp] = fake.requests.slice(later).map((r) => r.body);
    const followText = JSON.stringify(followUp.messages);
    expect(followText).toContain('Summary of earlier work in this conversation');
    expect(followText).toContain(SUMMARY);
    expect(followText).not.toContain('d'.repeat(300));
  });
});
