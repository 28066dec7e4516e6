import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module.js';
import { CapsModule } from '../caps/caps.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { HistoryModule } from '../history/history.module.js';
import { PreviewError } from './preview-errors/preview-error.entity.js';
import { PreviewErrorsRepository } from './preview-errors/preview-errors.repository.js';
import { PreviewErrorsService } from './preview-errors/preview-errors.service.js';
import { PreviewService } from './preview.service.js';
import { SandboxFile } from './sandbox-file.entity.js';
import { SandboxFilesController } from './sandbox-files.controller.js';
import { SandboxFilesRepository } from './sandbox-files.repository.js';
import { SandboxPreviewController } from './sandbox-preview.controller.js';
import { SandboxService } from './sandbox.service.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([SandboxFile, PreviewError]),
    SessionsModule,
    AuthModule,
    CapsModule,
    HistoryModule,
  ],
  controllers: [SandboxFilesController, SandboxPreviewController],
  providers: [
    SandboxService,
    PreviewService,
    PreviewErrorsService,
    SandboxFilesRepository,
    PreviewErrorsRepository,
  ],
  exports: [SandboxService, PreviewErrorsService],
})
export class SandboxModule {}
