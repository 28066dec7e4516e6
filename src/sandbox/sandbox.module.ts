import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { CapsModule } from '../caps/caps.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { HistoryModule } from '../versions/history/history.module.js';
import { PreviewErrorsService } from './preview-errors/preview-errors.service.js';
import { PreviewService } from './preview.service.js';
import { SandboxFilesController } from './sandbox-files.controller.js';
import { SandboxPreviewController } from './sandbox-preview.controller.js';
import { SandboxService } from './sandbox.service.js';

@Module({
  imports: [SessionsModule, AuthModule, CapsModule, HistoryModule],
  controllers: [SandboxFilesController, SandboxPreviewController],
  providers: [SandboxService, PreviewService, PreviewErrorsService],
  exports: [SandboxService, PreviewErrorsService],
})
export class SandboxModule {}
