import { Module } from '@nestjs/common';
import { CapsModule } from '../caps/caps.module.js';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { ModelProfilesModule } from '../agent/llm/model-profiles.module.js';
import { ModelsController } from './models.controller.js';
import { SessionOwnerGuard } from './session-owner.guard.js';
import { SessionsController } from './sessions.controller.js';
import { SessionsService } from './sessions.service.js';

@Module({
  imports: [CapsModule, IdempotencyModule, ModelProfilesModule],
  controllers: [SessionsController, ModelsController],
  providers: [SessionsService, SessionOwnerGuard],
  exports: [SessionsService, SessionOwnerGuard],
})
export class SessionsModule {}
