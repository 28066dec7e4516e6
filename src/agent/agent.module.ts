import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { MessagesModule } from '../messages/messages.module.js';
import { SandboxModule } from '../sandbox/sandbox.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { HistoryModule } from '../versions/history/history.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { AgentRunService } from './agent-run.service.js';
import { AgentController } from './agent.controller.js';
import { LLM_CLIENT } from './llm/llm-client.js';
import { ModelProfilesModule } from './llm/model-profiles.module.js';
import { OpenAiLlmClient } from './llm/openai-llm.client.js';
import { RunEventBus } from './events/run-event-bus.service.js';
import { RunFollowService } from './events/run-follow.service.js';
import { RunRegistry } from './run/run-registry.service.js';
import { StreamSlots } from './stream-slots.service.js';

@Module({
  imports: [
    MessagesModule,
    SessionsModule,
    SandboxModule,
    IdempotencyModule,
    HistoryModule,
    WebhooksModule,
    ModelProfilesModule,
  ],
  controllers: [AgentController],
  providers: [
    AgentRunService,
    RunRegistry,
    RunEventBus,
    RunFollowService,
    StreamSlots,
    { provide: LLM_CLIENT, useClass: OpenAiLlmClient },
  ],
})
export class AgentModule {}
