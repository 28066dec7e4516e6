import { randomBytes } from 'node:crypto';
import { expect } from '@jest/globals';
import { runCli } from './cli.js';
import type { HttpClient } from './http-client.js';

export interface TestUser {
  id: number;
  username: string;
  email: string;
  password: string;
  token: string;
}

/** Registers a user with unique credentials through the API. */
export async function registerUser(http: HttpClient, prefix = 'user'): Promise<TestUser> {
  const username = `${prefix}_${randomBytes(4).toString('hex')}`;
  const email = `${username}@example.com`;
  const password = 'correct horse battery';
  const res = await http.post('/api/auth/register', { body: { username, email, password } });
  expect(res.status).toBe(201);
  return { id: res.body.user.id, username, email, password, token: res.body.access_token };
}

export async function createSession(
  http: HttpClient,
  token: string,
  title = 'My site',
): Promise<string> {
  const res = await http.post('/api/sessions', { token, body: { title } });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

export async function writeFile(
  http: HttpClient,
  token: string,
  sessionId: string,
  name: string,
  content: string,
) {
  const res = await http.post(`/api/sessions/${sessionId}/sandbox/files/${name}`, {
    token,
    body: { content },
  });
  expect(res.status).toBe(200);
  return res;
}

/**
 * Registers a user and makes them an admin the way an operator does (`npm run admin:promote`, the
 * compiled CLI against the app's database): registration itself never confers a role.
 */
export async function registerAdmin(
  app: { http: HttpClient; db: { url: string } },
  prefix = 'admin',
): Promise<TestUser> {
  const user = await registerUser(app.http, prefix);
  const run = await runCli('admin-promote', [user.username], { DATABASE_URL: app.db.url });
  expect(run).toMatchObject({ code: 0, stderr: '' });
  return user;
}
