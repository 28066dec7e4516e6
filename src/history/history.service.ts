import { Inject, Injectable } from '@nestjs/common';
import { gone, notFound } from '../common/errors/app-error.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Sql, type SqlClient } from '../database/sql.service.js';
import { BlobsRepository } from './blobs.repository.js';
import { CONTENT_STORE, type ContentStore } from './content-store.js';
import { contentHash } from './content-hash.js';
import { HistoryHeadsRepository } from './history-heads.repository.js';
import type {
  ChangeRow,
  FileAtVersion,
  FileChangeInput,
  HistoryHead,
  VersionOrigin,
  VersionRow,
} from './history-types.js';
import { planChanges } from './plan-changes.js';
import { VersionChangesRepository } from './version-changes.repository.js';
import { VersionsRepository } from './versions.repository.js';

/**
 * The history store: every writer of a sandbox calls `record` inside the transaction of its change,
 * so a version and its change commit or roll back together. Readers get versions, their changes and
 * the files of any version still kept. Callers pass a session the actor owns.
 */
@Injectable()
export class HistoryService {
  constructor(
    private readonly sql: Sql,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly heads: HistoryHeadsRepository,
    private readonly versions: VersionsRepository,
    private readonly changes: VersionChangesRepository,
    private readonly blobs: BlobsRepository,
    @Inject(CONTENT_STORE) private readonly store: ContentStore,
  ) {}

  /**
   * Records a change as the next version, in the caller's transaction (which holds the session's row).
   * Returns the new version, or null when an agent call changed nothing (every other source always
   * makes a version: a restore to the current state can still be undone as a step of its own).
   */
  async record(
    tx: SqlClient,
    sessionId: string,
    inputs: FileChangeInput[],
    origin: VersionOrigin,
  ): Promise<number | null> {
    await this.ensure(tx, sessionId);
    const head = await this.heads.lock(tx, sessionId);
    const latest = await this.changes.latestOf(
      tx,
      sessionId,
      inputs.map((c) => c.path),
    );
    const version = head.head + 1;
    const plan = planChanges(version, inputs, latest, contentHash);
    if (plan.changes.length === 0 && origin.source === 'agent') {
      return null;
    }
    await this.versions.insert(tx, sessionId, {
      version,
      source: origin.source,
      messageId: origin.messageId ?? null,
      stepId: origin.stepId ?? null,
      restoredFrom: origin.restoredFrom ?? null,
    });
    const fresh = await this.blobs.insertNew(
      tx,
      sessionId,
      plan.blobs.map((b) => ({ hash: b.hash, size: b.content.length })),
    );
    const freshHashes = new Set(fresh.map((b) => b.hash));
    await this.store.put(
      tx,
      sessionId,
      plan.blobs.filter((b) => freshHashes.has(b.hash)),
    );
    await this.changes.insertMany(tx, sessionId, plan.changes);
    const next: HistoryHead = {
      head: version,
      prunedThrough: head.prunedThrough,
      blobBytes: head.blobBytes + fresh.reduce((n, b) => n + b.size, 0),
    };
    await this.prune(tx, sessionId, next);
    await this.heads.save(tx, sessionId, next);
    return version;
  }

  /** The session's newest version (0 before its first change). */
  async head(sessionId: string): Promise<number> {
    return (await this.heads.find(this.sql, sessionId))?.head ?? 0;
  }

  /** The version row, after checking it exists (404) and is still kept (410). */
  async version(sessionId: string, version: number): Promise<VersionRow> {
    const head = await this.current(sessionId);
    if (!Number.isInteger(version) || version < 0 || version > head.head) {
      throw notFound(`Version ${version} not found`);
    }
    const row =
      version > head.prunedThrough ? await this.versions.find(this.sql, sessionId, version) : null;
    if (!row) {
      throw gone(
        `Version ${version} was pruned from the history (SANDBOX_HISTORY_MAX_BYTES); the oldest kept is ${head.prunedThrough + 1}`,
      );
    }
    return row;
  }

  /** Versions newest first, `limit` at most, below `before` when given, with their changes. */
  async page(
    sessionId: string,
    before: number | undefined,
    limit: number,
  ): Promise<{ versions: VersionRow[]; changes: ChangeRow[] }> {
    await this.current(sessionId);
    const versions = await this.versions.page(this.sql, sessionId, before, limit);
    const changes = await this.changes.ofVersions(
      this.sql,
      sessionId,
      versions.map((v) => v.version),
    );
    return { versions, changes };
  }

  changesOf(sessionId: string, version: number): Promise<ChangeRow[]> {
    return this.changes.ofVersions(this.sql, sessionId, [version]);
  }

  /** The files of a version (checked with `version()` first by the caller). */
  filesAt(sessionId: string, version: number, db: SqlClient = this.sql): Promise<FileAtVersion[]> {
    return this.changes.stateAt(db, sessionId, version);
  }

  /** Contents by hash; every hash asked for must be there (the history references it). */
  async contents(
    sessionId: string,
    hashes: string[],
    db: SqlClient = this.sql,
  ): Promise<Map<string, Buffer>> {
    const found = await this.store.get(db, sessionId, hashes);
    for (const h of hashes) {
      if (!found.has(h)) {
        throw new Error(`history content ${h} of session ${sessionId} is missing`);
      }
    }
    return found;
  }

  /** The history row of a session, created (with its empty version 0) the first time it is asked for. */
  private async current(sessionId: string): Promise<HistoryHead> {
    const found = await this.heads.find(this.sql, sessionId);
    if (found) {
      return found;
    }
    await this.sql.transaction((tx) => this.ensure(tx, sessionId));
    return (
      (await this.heads.find(this.sql, sessionId)) ?? { head: 0, prunedThrough: -1, blobBytes: 0 }
    );
  }

  private async ensure(tx: SqlClient, sessionId: string): Promise<void> {
    if (await this.heads.create(tx, sessionId)) {
      await this.versions.insertZero(tx, sessionId);
    }
  }

  /** Oldest first, until the history fits its budget; the newest version is always kept. */
  private async prune(tx: SqlClient, sessionId: string, head: HistoryHead): Promise<void> {
    const max = this.config.history.maxBytes;
    while (head.blobBytes > max && head.prunedThrough < head.head - 1) {
      const oldest = head.prunedThrough + 1;
      const candidates = await this.changes.foldIntoBase(tx, sessionId, oldest);
      await this.versions.delete(tx, sessionId, oldest);
      const kept = await this.changes.referenced(tx, sessionId, candidates);
      const unreferenced = candidates.filter((h) => !kept.has(h));
      head.blobBytes -= await this.blobs.delete(tx, sessionId, unreferenced);
      await this.store.delete(tx, sessionId, unreferenced);
      head.prunedThrough = oldest;
    }
  }
}
