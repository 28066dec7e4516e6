import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { MessagesModule } from '../messages/messages.module.js';
import { SandboxModule } from '../sandbox/sandbox.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { ArchivesController } from './archives.controller.js';
import { ArchivesService } from './archives.service.js';
import { ForkController } from './fork.controller.js';
import { ForkService } from './fork.service.js';
import { HistoryModule } from '../history/history.module.js';
import { TurnsModule } from '../turns/turns.module.js';
import { VersionsController } from './versions.controller.js';
import { VersionsService } from './versions.service.js';

/** Versions of a sandbox over HTTP: list, diff, files at a version, restore, fork, zip export/import. */
@Module({
  imports: [HistoryModule, SandboxModule, SessionsModule, MessagesModule, TurnsModule, AuthModule],
  controllers: [VersionsController, ForkController, ArchivesController],
  providers: [VersionsService, ForkService, ArchivesService],
})
export class VersionsModule {}
