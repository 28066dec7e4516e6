import { Injectable } from '@nestjs/common';
import type { OwnedSession } from '../sessions/owned-session.js';
import type { Session } from '../sessions/session.entity.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { MessagesService } from '../messages/messages.service.js';
import { SandboxService } from '../sandbox/sandbox.service.js';
import { HistoryService } from '../history/history.service.js';
import { VersionsService } from './versions.service.js';

/** A new session of the caller's from a version of one of their sessions; the original is untouched. */
@Injectable()
export class ForkService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly messages: MessagesService,
    private readonly sandbox: SandboxService,
    private readonly history: HistoryService,
    private readonly versions: VersionsService,
  ) {}

  async fork(owned: OwnedSession, opts: { version?: number; title?: string }): Promise<Session> {
    const { userId, id: sourceId } = owned;
    const source = await this.sessions.getOwned(userId, sourceId);
    const version = opts.version ?? (await this.history.head(sourceId));
    const origin = await this.history.version(sourceId, version);
    const files = await this.versions.filesOf(owned, version);
    const title = opts.title ?? `${source.title.slice(0, 193)} (fork)`;
    const fork = await this.sessions.create(userId, title);
    try {
      await this.sandbox.apply(
        { userId, sessionId: fork.id, origin: { source: 'fork' } },
        { files, replace: true },
      );
      await this.messages.copyConversation(
        owned,
        { id: fork.id, userId },
        {
          throughMessageId: origin.messageId,
          at: origin.createdAt,
        },
      );
    } catch (err) {
      // The fork did not fit (413) or failed: leave no half-made session behind.
      await this.sessions.remove(userId, fork.id);
      throw err;
    }
    return fork;
  }
}
