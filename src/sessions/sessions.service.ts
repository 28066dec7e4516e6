import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { forbidden, notFound } from '../common/errors/app-error.js';
import { Session } from './session.entity.js';

const SESSION_ID = /^[0-9a-f]{32}$/;

@Injectable()
export class SessionsService {
  constructor(@InjectRepository(Session) private readonly sessions: Repository<Session>) {}

  list(userId: number): Promise<Session[]> {
    return this.sessions.find({ where: { userId }, order: { updatedAt: 'DESC', id: 'ASC' } });
  }

  create(userId: number, title: string): Promise<Session> {
    const id = randomUUID().replaceAll('-', '');
    return this.sessions.save(this.sessions.create({ id, userId, title }));
  }

  /** The session if the acting user owns it: 404 when it does not exist, 403 when it is someone else's. */
  async getOwned(userId: number, sessionId: string): Promise<Session> {
    const session = SESSION_ID.test(sessionId)
      ? await this.sessions.findOne({ where: { id: sessionId } })
      : null;
    if (!session) {
      throw notFound('Session not found');
    }
    if (session.userId !== userId) {
      throw forbidden('Not allowed to access this session');
    }
    return session;
  }

  async rename(userId: number, sessionId: string, title: string): Promise<Session> {
    const session = await this.getOwned(userId, sessionId);
    session.title = title;
    return this.sessions.save(session);
  }

  /** Deletes the session; its messages, steps and sandbox files go with it through ON DELETE CASCADE. */
  async remove(userId: number, sessionId: string): Promise<void> {
    const session = await this.getOwned(userId, sessionId);
    await this.sessions.delete({ id: session.id });
  }

  /** Marks the session as recently active, so it sorts first in the list. */
  async touch(sessionId: string): Promise<void> {
    await this.sessions.update({ id: sessionId }, { updatedAt: new Date() });
  }
}
