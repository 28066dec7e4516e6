import { Module } from '@nestjs/common';
import { AgentTurnRunner } from '../agent/agent-turn-runner.js';
import { AgentModule } from '../agent/agent.module.js';
import { CapsModule } from '../caps/caps.module.js';
import { HistoryModule } from '../history/history.module.js';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { MessagesModule } from '../messages/messages.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { RunEventBus } from './events/run-event-bus.service.js';
import { RunFollowService } from './events/run-follow.service.js';
import { MessagesController } from './messages.controller.js';
import { RunRegistry } from './run-registry.service.js';
import { StreamSlots } from './stream-slots.service.js';
import { TURN_RUNNER, type TurnRunner } from './turn-runner.js';
import { TurnStateService } from './turn-state.service.js';
import { TurnsService } from './turns.service.js';

/**
 * A turn from start to end: begin (caps, rows), heartbeats, cancel, the stale sweep, the end and the
 * webhook events of each; its live events on every replica; the `sessions/:id/messages` routes. The
 * work of a turn is the `TurnRunner`'s (the agent's, in this process); a job engine replaces that one
 * binding. `TurnStateService` is exported for the questions others ask ("does one run here?").
 */
@Module({
  imports: [
    AgentModule,
    MessagesModule,
    SessionsModule,
    CapsModule,
    HistoryModule,
    IdempotencyModule,
    WebhooksModule,
  ],
  controllers: [MessagesController],
  providers: [
    TurnsService,
    TurnStateService,
    RunRegistry,
    RunEventBus,
    RunFollowService,
    StreamSlots,
    // The seam: typed here, so the agent's runner is checked against the TurnRunner contract.
    {
      provide: TURN_RUNNER,
      inject: [AgentTurnRunner],
      useFactory: (r: AgentTurnRunner): TurnRunner => r,
    },
  ],
  exports: [TurnStateService],
})
export class TurnsModule {}
