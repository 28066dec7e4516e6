import { UseGuards } from '@nestjs/common';
import { AdminGuard } from './admin.guard.js';

/** Restricts a route or controller to admins: others get 403 (unauthenticated callers 401 first). */
export const AdminOnly = () => UseGuards(AdminGuard);
