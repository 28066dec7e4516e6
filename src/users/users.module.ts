import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UserIdentitiesRepository } from './user-identities.repository.js';
import { UserIdentity } from './user-identity.entity.js';
import { User } from './user.entity.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

/** Who exists. `UsersRepository` is exported for the caps' row lock, API keys and the admin's usage report. */
@Module({
  imports: [TypeOrmModule.forFeature([User, UserIdentity])],
  providers: [UsersService, UsersRepository, UserIdentitiesRepository],
  exports: [UsersService, UsersRepository],
})
export class UsersModule {}
