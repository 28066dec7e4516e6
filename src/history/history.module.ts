import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SessionsModule } from '../sessions/sessions.module.js';
import { BlobContent } from './blob-content.entity.js';
import { BlobsRepository } from './blobs.repository.js';
import { CONTENT_STORE } from './content-store.js';
import { HistoryHeadsRepository } from './history-heads.repository.js';
import { HistoryService } from './history.service.js';
import { PgContentStore } from './pg-content-store.js';
import { SessionHistory } from './session-history.entity.js';
import { SessionVersion } from './session-version.entity.js';
import { VersionBlob } from './version-blob.entity.js';
import { VersionChange } from './version-change.entity.js';
import { VersionChangesRepository } from './version-changes.repository.js';
import { VersionsRepository } from './versions.repository.js';

/**
 * The history store alone (no HTTP, no sandbox): the sandbox records into it, the versions feature
 * reads it. Kept apart so neither of those modules has to import the other in a circle. Its tables
 * are its own: only `HistoryService` is exported. Its entities refer to `Session`, whose module it
 * imports so that it also boots on its own (as the service tests build it).
 */
@Module({
  imports: [
    SessionsModule,
    TypeOrmModule.forFeature([
      SessionHistory,
      SessionVersion,
      VersionChange,
      VersionBlob,
      BlobContent,
    ]),
  ],
  providers: [
    HistoryService,
    HistoryHeadsRepository,
    VersionsRepository,
    VersionChangesRepository,
    BlobsRepository,
    // Swap this line for an S3-compatible implementation of ContentStore (docs/architecture.md).
    { provide: CONTENT_STORE, useClass: PgContentStore },
  ],
  exports: [HistoryService],
})
export class HistoryModule {}
