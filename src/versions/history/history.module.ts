import { Module } from '@nestjs/common';
import { CONTENT_STORE } from './content-store.js';
import { HistoryService } from './history.service.js';
import { PgContentStore } from './pg-content-store.js';

/**
 * The history store alone (no HTTP, no sandbox): the sandbox records into it, the versions feature
 * reads it. Kept apart so neither of those modules has to import the other in a circle. Its
 * repositories (`session_history`, `session_versions`, `version_changes`, `version_blobs`) are
 * registered with the others in the global `DatabaseModule`.
 */
@Module({
  providers: [
    HistoryService,
    // Swap this line for an S3-compatible implementation of ContentStore (docs/architecture.md).
    { provide: CONTENT_STORE, useClass: PgContentStore },
  ],
  exports: [HistoryService],
})
export class HistoryModule {}
