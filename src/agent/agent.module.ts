import { Module } from '@nestjs/common';
import { MessagesModule } from '../messages/messages.module.js';
import { SandboxModule } from '../sandbox/sandbox.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { AgentTurnRunner } from './agent-turn-runner.js';
import { LLM_CLIENT } from './llm/llm-client.js';
import { ModelProfilesModule } from '../models/model-profiles.module.js';
import { OpenAiLlmClient } from './llm/openai-llm.client.js';

/**
 * The agent: the LLM client, the tools and the loop, and the runner that assembles them for one turn.
 * No routes and no turn state: the turns module begins, ends and follows turns and calls the runner.
 */
@Module({
  imports: [MessagesModule, SandboxModule, WebhooksModule, ModelProfilesModule],
  providers: [AgentTurnRunner, { provide: LLM_CLIENT, useClass: OpenAiLlmClient }],
  exports: [AgentTurnRunner],
})
export class AgentModule {}
