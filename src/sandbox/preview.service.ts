import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../users/auth-user.js';
import { TokenService } from '../auth/token.service.js';
import type { TokenSource } from '../users/authed-request.js';
import { notFound } from '../common/errors/app-error.js';
import type { PreviewTokenView } from './sandbox.views.js';
import { withCrossOriginScripts, withPreviewHead } from './preview-html.js';
import { PreviewErrorsService } from './preview-errors/preview-errors.service.js';
import { PREVIEW_REPORT_PATH, previewScript } from './preview-errors/preview-script.js';
import { SandboxService, type StoredFile } from './sandbox.service.js';

const ENTRY_FILE = 'index.html';

export type PreviewResult = { redirect: string } | { file: StoredFile };

const sandboxBase = (sessionId: string) => `/api/sessions/${sessionId}/sandbox`;
const siteBase = (sessionId: string, previewToken: string) =>
  `${sandboxBase(sessionId)}/site/${encodeURIComponent(previewToken)}/`;
const isHtml = (file: StoredFile) => file.contentType.startsWith('text/html');

/**
 * The live preview. Generated pages run model-written scripts, so they must never see the user's
 * access token: one given in the URL is swapped for a preview token (good for this session's preview
 * only, for 10 minutes) by a redirect, and assets load from a path that carries that preview token.
 */
@Injectable()
export class PreviewService {
  constructor(
    private readonly sandbox: SandboxService,
    private readonly tokens: TokenService,
    private readonly previewErrors: PreviewErrorsService,
  ) {}

  issueToken(user: AuthUser, sessionId: string): PreviewTokenView {
    const { token, expiresAt } = this.tokens.issuePreview(user.id, sessionId);
    return {
      token,
      url: `${sandboxBase(sessionId)}/preview?token=${encodeURIComponent(token)}`,
      expires_at: expiresAt.toISOString(),
    };
  }

  /**
   * `…/preview`: index.html with a `<base>` pointing at the tokenised asset path, and the storage shim
   * and error reporter before its first script.
   */
  async entry(user: AuthUser, sessionId: string, source: TokenSource): Promise<PreviewResult> {
    if (source.fromUrl && source.kind === 'access') {
      return { redirect: this.issueToken(user, sessionId).url };
    }
    const previewToken =
      source.kind === 'preview' ? source.token : this.tokens.issuePreview(user.id, sessionId).token;
    const file = await this.readEntry(user, sessionId);
    return { file: await this.instrument(file, sessionId, previewToken, true) };
  }

  /** `…/static/{path}`: the raw file; an access token in the URL is first swapped for a preview token. */
  async asset(
    user: AuthUser,
    sessionId: string,
    path: string,
    source: TokenSource,
  ): Promise<PreviewResult> {
    if (source.fromUrl && source.kind === 'access') {
      const { token } = this.tokens.issuePreview(user.id, sessionId);
      const encodedPath = path.split('/').map(encodeURIComponent).join('/');
      return {
        redirect: `${sandboxBase(sessionId)}/static/${encodedPath}?token=${encodeURIComponent(token)}`,
      };
    }
    return { file: await this.sandbox.read({ userId: user.id, sessionId }, path) };
  }

  /**
   * `…/site/{previewToken}/{path}`: what the page's relative links resolve to; no path means index.html.
   * HTML pages (a link to `about.html`) get the shim and reporter too; their URL is already the site path.
   */
  async siteFile(
    user: AuthUser,
    sessionId: string,
    previewToken: string,
    path: string | undefined,
  ): Promise<PreviewResult> {
    const file = path
      ? await this.sandbox.read({ userId: user.id, sessionId }, path)
      : await this.readEntry(user, sessionId);
    return {
      file: isHtml(file) ? await this.instrument(file, sessionId, previewToken, false) : file,
    };
  }

  /** The page with the reporter (and, for the entry URL, the base) of the version it shows now. */
  private async instrument(
    file: StoredFile,
    sessionId: string,
    previewToken: string,
    withBase: boolean,
  ): Promise<StoredFile> {
    const base = siteBase(sessionId, previewToken);
    const version = await this.previewErrors.currentVersion(sessionId);
    const script = previewScript(base + PREVIEW_REPORT_PATH, version);
    const html = withPreviewHead(
      withCrossOriginScripts(file.content.toString('utf8')),
      script,
      withBase ? base : undefined,
    );
    const content = Buffer.from(html, 'utf8');
    return { ...file, content, size: content.length };
  }

  private async readEntry(user: AuthUser, sessionId: string): Promise<StoredFile> {
    const file = await this.sandbox.find({ userId: user.id, sessionId }, ENTRY_FILE);
    if (!file) {
      throw notFound('The sandbox has no index.html to preview yet');
    }
    return file;
  }
}
