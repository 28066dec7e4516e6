import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../users/users.module.js';
import { CapsService } from './caps.service.js';
import { TokenUsageRepository } from './token-usage.repository.js';
import { UserTokenUsage } from './user-token-usage.entity.js';

/** Per-user caps by tier; used inside the transactions of the modules whose changes they limit. */
@Module({
  imports: [TypeOrmModule.forFeature([UserTokenUsage]), UsersModule],
  providers: [CapsService, TokenUsageRepository],
  exports: [CapsService],
})
export class CapsModule {}
