import { PassThrough } from 'node:stream';
import { Inject, Injectable, StreamableFile } from '@nestjs/common';
import yazl from 'yazl';
import { badRequest, conflict } from '../common/errors/app-error.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { SandboxService, type SandboxScope } from '../sandbox/sandbox.service.js';
import type { OwnedSession } from '../sessions/owned-session.js';
import { VersionsService } from './versions.service.js';
import { readZip } from './zip-reader.js';

/** What an import made: its one version and the number of files in the archive. */
export interface Imported {
  version: number;
  files: number;
}

/** Zip export of any version, and import of a zip as one version. Callers pass a session the actor owns. */
@Injectable()
export class ArchivesService {
  /** Users with an import running on this replica: one at a time each, so memory stays bounded. */
  private readonly importing = new Set<number>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly versions: VersionsService,
    private readonly sandbox: SandboxService,
  ) {}

  /** The files of `version` (default: the newest) as a zip, produced while it is sent. */
  async export(session: OwnedSession, version?: number): Promise<StreamableFile> {
    const sessionId = session.id;
    const v = version ?? (await this.versions.head(session));
    const files = await this.versions.filesOf(session, v);
    const zip = new yazl.ZipFile();
    for (const [path, content] of files) {
      zip.addBuffer(content, path);
    }
    zip.end();
    // yazl types its output as a plain NodeJS.ReadableStream; Nest wants a stream.Readable.
    const out = zip.outputStream.pipe(new PassThrough());
    return new StreamableFile(out, {
      type: 'application/zip',
      disposition: `attachment; filename="session-${sessionId}-v${v}.zip"`,
    });
  }

  /**
   * Every file of the archive in one version; nothing is written unless all of it fits. A user runs one
   * import at a time (per replica): a second one meanwhile → 409, since each may hold up to the session
   * limit in memory while it is checked and written.
   */
  async import(scope: SandboxScope, body: unknown, replace: boolean): Promise<Imported> {
    if (!Buffer.isBuffer(body) || body.length === 0) {
      throw badRequest(
        'Send the archive as the raw request body with Content-Type: application/zip',
      );
    }
    if (this.importing.has(scope.userId)) {
      throw conflict('Another import of yours is running; retry when it has finished');
    }
    this.importing.add(scope.userId);
    try {
      return await this.importOne(scope, body, replace);
    } finally {
      this.importing.delete(scope.userId);
    }
  }

  private async importOne(scope: SandboxScope, body: Buffer, replace: boolean): Promise<Imported> {
    const limits = this.config.sandbox;
    const files = await readZip(body, {
      maxFileBytes: limits.maxFileBytes,
      maxTotalBytes: limits.maxSessionBytes,
      maxFiles: limits.maxFiles,
    });
    const version = await this.sandbox.apply(
      { ...scope, origin: { source: 'import' } },
      { files, replace },
    );
    return { version, files: files.size };
  }
}
