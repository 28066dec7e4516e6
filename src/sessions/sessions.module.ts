import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CapsModule } from '../caps/caps.module.js';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { ModelProfilesModule } from '../models/model-profiles.module.js';
import { Session } from './session.entity.js';
import { SessionsRepository } from './sessions.repository.js';
import { ModelsController } from './models.controller.js';
import { SessionOwnerGuard } from './session-owner.guard.js';
import { SessionsController } from './sessions.controller.js';
import { SessionsService } from './sessions.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Session]), CapsModule, IdempotencyModule, ModelProfilesModule],
  controllers: [SessionsController, ModelsController],
  providers: [SessionsService, SessionOwnerGuard, SessionsRepository],
  // The repository for the sandbox, which keeps each session's byte total in the same transaction as its writes.
  exports: [SessionsService, SessionOwnerGuard, SessionsRepository],
})
export class SessionsModule {}
