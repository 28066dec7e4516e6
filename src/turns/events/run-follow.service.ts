import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../users/auth-user.js';
import { notFound } from '../../common/errors/app-error.js';
import type { StepView } from '../../messages/messages.views.js';
import { toStepView } from '../../messages/messages.views.js';
import { MessagesService } from '../../messages/messages.service.js';
import { SessionsService } from '../../sessions/sessions.service.js';
import {
  endEvent,
  isNewerStep,
  type RunEvent,
  type RunListener,
} from '../../agent/run/run-events.js';
import { RunEventBus } from './run-event-bus.service.js';

/** Following a session's current turn from any replica: replay its steps, then the live events. */
@Injectable()
export class RunFollowService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly messages: MessagesService,
    private readonly bus: RunEventBus,
  ) {}

  /** Returns the unsubscribe function; the listener hears `done`/`error` last. */
  async followLatest(
    user: AuthUser,
    sessionId: string,
    listener: RunListener,
  ): Promise<() => void> {
    const session = await this.sessions.assertOwner(user.id, sessionId);
    const latest = await this.messages.latestAssistant(session);
    if (!latest) {
      throw notFound('No agent turn in this session yet');
    }
    const seen = new Map<number, StepView>();
    let ended = false;
    const forward = (e: RunEvent) => {
      if (ended) {
        return;
      }
      if (e.event === 'step') {
        if (!isNewerStep(e.data, seen.get(e.data.id))) {
          return;
        }
        seen.set(e.data.id, e.data);
      }
      ended = e.event === 'done' || e.event === 'error';
      listener(e);
    };
    const unsubscribe =
      latest.status === 'running' ? this.bus.follow(latest.id, forward) : () => undefined;
    for (const step of await this.messages.stepsOf(latest.id)) {
      forward({ event: 'step', data: toStepView(step) });
    }
    // The turn may have ended before the subscription took hold: the stored end is the truth.
    const now = latest.status === 'running' ? await this.messages.findById(latest.id) : latest;
    if (now && now.status !== 'running') {
      forward(endEvent(now));
    }
    return unsubscribe;
  }
}
