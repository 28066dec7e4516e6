import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSession, registerUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const MESSAGE_FIELDS = ['id', 'session_id', 'content', 'role', 'status', 'created_at'];
const STEP_FIELDS = [
  'id',
  'session_id',
  'message_id',
  'iteration',
  'status',
  'tool_name',
  'tool_arguments',
  'progress',
];

interface MessageRow {
  role: 'user' | 'assistant';
  content: string;
  status: 'running' | 'completed' | 'failed';
  created_at: string;
}

interface StepRow {
  id: number;
  message_id: number;
  iteration: number;
  tool_name: string;
  tool_arguments: Record<string, unknown>;
  status: 'pending' | 'running' | 'completed' | 'failed';
  progress: number;
}

describe('messages', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await startTestApp();
    user = await registerUser(t.http, 'writer');
  });
  afterAll(() => t.close());

  /** Stores a message the way the agent would, with an explicit creation time; returns its id. */
  async function insertMessage(sessionId: string, m: MessageRow): Promise<number> {
    const [row] = await t.db.query<{ id: number }>(
      `INSERT INTO messages (session_id, role, content, status, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [sessionId, m.role, m.content, m.status, m.created_at],
    );
    return row.id;
  }

  async function insertStep(sessionId: string, s: StepRow): Promise<void> {
    await t.db.query(
      `INSERT INTO execution_steps (id, session_id, message_id, iteration, tool_name, tool_arguments, status, progress)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        s.id,
        sessionId,
        s.message_id,
        s.iteration,
        s.tool_name,
        JSON.stringify(s.tool_arguments),
        s.status,
        s.progress,
      ],
    );
  }

  const messagesOf = (sessionId: string) =>
    t.http.get(`/api/sessions/${sessionId}/messages`, { token: user.token });
  const latestStepsOf = (sessionId: string) =>
    t.http.get(`/api/sessions/${sessionId}/messages/latest/execution-steps`, { token: user.token });

  describe('GET /api/sessions/:id/messages', () => {
    it('returns [] for a new session', async () => {
      const id = await createSession(t.http, user.token);
      const res = await messagesOf(id);
      expect(res.status).toBe(200);
      expect(res.body).toEqual([]);
    });

    it('returns the conversation oldest first with id, session_id, content, role, status and created_at', async () => {
      const id = await createSession(t.http, user.token, 'Chat');
      const rows: MessageRow[] = [
        {
          role: 'user',
          content: 'Build me a bakery site',
          status: 'completed',
          created_at: '2025-01-02T10:00:00.000Z',
        },
        {
          role: 'assistant',
          content: 'Done: index.html',
          status: 'completed',
          created_at: '2025-01-02T10:00:05.250Z',
        },
        {
          role: 'user',
          content: 'Make it pink',
          status: 'completed',
          created_at: '2025-01-02T10:01:00.000Z',
        },
        {
          role: 'assistant',
          content: 'The provider failed',
          status: 'failed',
          created_at: '2025-01-02T10:01:02.000Z',
        },
        {
          role: 'user',
          content: 'Try again',
          status: 'completed',
          created_at: '2025-01-02T10:02:00.000Z',
        },
        {
          role: 'assistant',
          content: '',
          status: 'running',
          created_at: '2025-01-02T10:02:00.500Z',
        },
      ];
      const ids: number[] = [];
      for (const row of rows) {
        ids.push(await insertMessage(id, row));
      }

      const res = await messagesOf(id);
      expect(res.status).toBe(200);
      expect(res.body).toHaveLength(rows.length);
      (res.body as Record<string, unknown>[]).forEach((m, i) => {
        expect(Object.keys(m)).toEqual(expect.arrayContaining(MESSAGE_FIELDS));
        expect(m).toMatchObject({ id: ids[i], session_id: id, ...rows[i] });
      });
    });

    it('keeps each session to its own messages', async () => {
      const mine = await createSession(t.http, user.token, 'Mine');
      const other = await createSession(t.http, user.token, 'Other');
      const at = new Date().toISOString();
      await insertMessage(mine, {
        role: 'user',
        content: 'in mine',
        status: 'completed',
        created_at: at,
      });
      await insertMessage(other, {
        role: 'user',
        content: 'in other',
        status: 'completed',
        created_at: at,
      });
      const res = await messagesOf(mine);
      expect((res.body as { content: string }[]).map((m) => m.content)).toEqual(['in mine']);
    });
  });

  describe('GET /api/sessions/:id/messages/latest/execution-steps', () => {
    it('returns [] for a session without messages', async () => {
      const id = await createSession(t.http, user.token);
      const res = await latestStepsOf(id);
      expect(res.status).toBe(200);
      expect(res.body).toEqual([]);
    });

    it('returns [] while the session has only user messages', async () => {
      const id = await createSession(t.http, user.token);
      await insertMessage(id, {
        role: 'user',
        content: 'hello',
        status: 'completed',
        created_at: new Date().toISOString(),
      });
      const res = await latestStepsOf(id);
      expect(res.status).toBe(200);
      expect(res.body).toEqual([]);
    });

    it('returns [] when the latest assistant message made no tool calls, even if an older one did', async () => {
      const id = await createSession(t.http, user.token);
      const older = await insertMessage(id, {
        role: 'assistant',
        content: 'wrote it',
        status: 'completed',
        created_at: '2025-03-01T00:00:00.000Z',
      });
      await insertStep(id, {
        id: 5001,
        message_id: older,
        iteration: 1,
        tool_name: 'write_file',
        tool_arguments: { filename: 'index.html' },
        status: 'completed',
        progress: 100,
      });
      await insertMessage(id, {
        role: 'assistant',
        content: 'Hi!',
        status: 'completed',
        created_at: '2025-03-01T00:01:00.000Z',
      });
      const res = await latestStepsOf(id);
      expect(res.status).toBe(200);
      expect(res.body).toEqual([]);
    });

    describe('with two agent turns', () => {
      let sessionId: string;
      let latest: number;
      const latestSteps: Omit<StepRow, 'message_id'>[] = [
        {
          id: 7001,
          iteration: 1,
          tool_name: 'write_file',
          tool_arguments: { filename: 'index.html' },
          status: 'completed',
          progress: 100,
        },
        {
          id: 7002,
          iteration: 1,
          tool_name: 'write_file',
          tool_arguments: { filename: 'css/site.css' },
          status: 'failed',
          progress: 100,
        },
        {
          id: 7003,
          iteration: 2,
          tool_name: 'list_files',
          tool_arguments: {},
          status: 'running',
          progress: 40,
        },
        {
          id: 7004,
          iteration: 3,
          tool_name: 'read_file',
          tool_arguments: { filename: 'index.html' },
          status: 'pending',
          progress: 0,
        },
      ];

      beforeAll(async () => {
        sessionId = await createSession(t.http, user.token, 'Two turns');
        await insertMessage(sessionId, {
          role: 'user',
          content: 'first',
          status: 'completed',
          created_at: '2025-04-01T00:00:00.000Z',
        });
        const first = await insertMessage(sessionId, {
          role: 'assistant',
          content: 'first answer',
          status: 'completed',
          created_at: '2025-04-01T00:00:01.000Z',
        });
        await insertStep(sessionId, {
          id: 6001,
          message_id: first,
          iteration: 1,
          tool_name: 'write_file',
          tool_arguments: { filename: 'old.html' },
          status: 'completed',
          progress: 100,
        });
        await insertMessage(sessionId, {
          role: 'user',
          content: 'second',
          status: 'completed',
          created_at: '2025-04-01T00:01:00.000Z',
        });
        latest = await insertMessage(sessionId, {
          role: 'assistant',
          content: '',
          status: 'running',
          created_at: '2025-04-01T00:01:01.000Z',
        });
        // Stored out of order, so the answer's order cannot come from the table's physical order.
        for (const i of [2, 0, 3, 1]) {
          await insertStep(sessionId, { ...latestSteps[i], message_id: latest });
        }
        // A later turn in another session must not leak in.
        const elsewhere = await createSession(t.http, user.token, 'Elsewhere');
        const foreign = await insertMessage(elsewhere, {
          role: 'assistant',
          content: '',
          status: 'running',
          created_at: '2025-04-01T00:02:00.000Z',
        });
        await insertStep(elsewhere, {
          id: 8001,
          message_id: foreign,
          iteration: 1,
          tool_name: 'delete_file',
          tool_arguments: { filename: 'x.html' },
          status: 'running',
          progress: 10,
        });
      });

      it('returns only the steps of the latest assistant message, in the order they were made', async () => {
        const res = await latestStepsOf(sessionId);
        expect(res.status).toBe(200);
        expect((res.body as { id: number }[]).map((s) => s.id)).toEqual([7001, 7002, 7003, 7004]);
      });

      it('gives every step id, session_id, message_id, iteration, status, tool_name, tool_arguments and progress', async () => {
        const res = await latestStepsOf(sessionId);
        expect(res.body).toHaveLength(latestSteps.length);
        (res.body as Record<string, unknown>[]).forEach((step, i) => {
          expect(Object.keys(step)).toEqual(expect.arrayContaining(STEP_FIELDS));
          expect(step).toMatchObject({
            ...latestSteps[i],
            session_id: sessionId,
            message_id: latest,
          });
        });
      });

      it('reads the steps of a run still in progress as they change', async () => {
        await t.db.query(
          `UPDATE execution_steps SET status = 'completed', progress = 100 WHERE id = 7003`,
        );
        const res = await latestStepsOf(sessionId);
        expect(res.body[2]).toMatchObject({ id: 7003, status: 'completed', progress: 100 });
      });

      it('lists the latest assistant message itself as running', async () => {
        const res = await messagesOf(sessionId);
        expect((res.body as unknown[]).at(-1)).toMatchObject({
          id: latest,
          role: 'assistant',
          status: 'running',
        });
      });
    });
  });
});
