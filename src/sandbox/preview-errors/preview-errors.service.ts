import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../users/auth-user.js';
import { HistoryService } from '../../history/history.service.js';
import {
  PreviewErrorsRepository,
  type NewPreviewError,
  type PreviewErrorRecord,
} from './preview-errors.repository.js';
import { PREVIEW_REPORT_MAX_CHARS } from './preview-script.js';

/** A page's file URL under its preview token, and the entry URL (whose query holds the token). */
const SITE_URL = /\bhttps?:\/\/[^\s/]+\/api\/sessions\/[0-9a-f]{32}\/sandbox\/site\/[^/\s]+\//g;
const ENTRY_URL = /\bhttps?:\/\/[^\s/]+\/api\/sessions\/[0-9a-f]{32}\/sandbox\/preview\b[^\s)]*/g;

/**
 * Names files as the sandbox does (`js/app.js`, `index.html`) instead of by URL: shorter for the
 * model, and the preview token in those URLs is kept out of the stored text and the conversation.
 */
export const sandboxNames = (text: string) =>
  text.replace(SITE_URL, '').replace(ENTRY_URL, 'index.html');

/** The contract's "the last 50": what the API lists, and all a session keeps. */
export const PREVIEW_ERRORS_KEPT = 50;

/**
 * Runtime errors of the preview page. Pages report them through their preview token; the owner reads
 * them over the API and the agent through its `get_preview_errors` tool (those of the current version).
 */
@Injectable()
export class PreviewErrorsService {
  constructor(
    private readonly errors: PreviewErrorsRepository,
    private readonly history: HistoryService,
  ) {}

  /** The sandbox version a page served now shows (embedded in its reporter, sent back with each error). */
  currentVersion(sessionId: string): Promise<number> {
    return this.history.head(sessionId);
  }

  /** Stores one report (the caller holds a preview token of this session); text is cut to 2 KB. */
  async record(_user: AuthUser, sessionId: string, report: NewPreviewError): Promise<void> {
    const cut = (s: string) => sandboxNames(s.slice(0, PREVIEW_REPORT_MAX_CHARS));
    await this.errors.add(
      sessionId,
      {
        ...report,
        message: cut(report.message),
        source: report.source === null ? null : cut(report.source),
      },
      PREVIEW_ERRORS_KEPT,
    );
  }

  /** The newest 50, newest first. */
  list(userId: number, sessionId: string): Promise<PreviewErrorRecord[]> {
    return this.errors.latest(sessionId, userId, PREVIEW_ERRORS_KEPT);
  }

  /** Those reported by pages showing the session's current version, newest first. */
  async ofCurrentVersion(userId: number, sessionId: string): Promise<PreviewErrorRecord[]> {
    const version = await this.history.head(sessionId);
    return this.errors.latest(sessionId, userId, PREVIEW_ERRORS_KEPT, version);
  }
}
