import { expect } from '@jest/globals';
import { withoutEnvironment, type FakeOpenAi } from './fake-openai.js';
import type { HttpClient } from './http-client.js';

/** Points the service at the scripted provider; retries off so every scripted reply is used once. */
export const llmEnv = (fake: FakeOpenAi, extra: Record<string, string> = {}) => ({
  OPENAI_BASE_URL: fake.baseUrl,
  OPENAI_API_KEY: 'test-key',
  OPENAI_MODEL: 'fake-model',
  OPENAI_MAX_RETRIES: '0',
  ...extra,
});

export async function postMessage(
  http: HttpClient,
  token: string,
  sessionId: string,
  content: string,
) {
  return http.post(`/api/sessions/${sessionId}/messages`, { token, body: { content } });
}

export async function steps(http: HttpClient, token: string, sessionId: string): Promise<any[]> {
  const res = await http.get(`/api/sessions/${sessionId}/messages/latest/execution-steps`, {
    token,
  });
  expect(res.status).toBe(200);
  return res.body;
}

export async function fileContent(
  http: HttpClient,
  token: string,
  sessionId: string,
  name: string,
) {
  return http.get(`/api/sessions/${sessionId}/sandbox/files/${name}`, { token });
}

/** Polls until `check` returns a value other than undefined, or fails after `ms`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  ms = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the session's running turn has recorded its first step (something to replay or cancel). */
export function untilFirstStep(http: HttpClient, token: string, sessionId: string): Promise<true> {
  return eventually(
    async () => ((await steps(http, token, sessionId)).length > 0 ? true : undefined),
    10_000,
    'the turn’s first step',
  );
}

/** The tool messages the model received in a request, by call id. */
export function toolResults(requestBody: any): Record<string, any> {
  const out: Record<string, any> = {};
  for (const m of requestBody.messages as any[]) {
    if (m.role === 'tool') {
      out[m.tool_call_id] = JSON.parse(withoutEnvironment(m.content));
    }
  }
  return out;
}
