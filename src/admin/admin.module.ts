import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module.js';
import { AdminController } from './admin.controller.js';
import { AdminGuard } from './admin.guard.js';
import { AdminService } from './admin.service.js';

/** Admin-only user management and usage reporting; the first admins come from `admin:create`, `admin:promote` or the ADMIN_USERNAMES bootstrap. */
@Module({
  imports: [UsersModule],
  controllers: [AdminController],
  providers: [AdminService, AdminGuard],
})
export class AdminModule {}
