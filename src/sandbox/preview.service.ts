import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user.js';
import { TokenService } from '../auth/token.service.js';
import type { TokenSource } from '../auth/authed-request.js';
import { notFound } from '../common/errors/app-error.js';
import type { PreviewTokenView } from './sandbox.views.js';
import { withBaseHref } from './preview-html.js';
import { SandboxService, type StoredFile } from './sandbox.service.js';

const ENTRY_FILE = 'index.html';

export type PreviewResult = { redirect: string } | { file: StoredFile };

const sandboxBase = (sessionId: string) => `/api/sessions/${sessionId}/sandbox`;

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
  ) {}

  issueToken(user: AuthUser, sessionId: string): PreviewTokenView {
    const { token, expiresAt } = this.tokens.issuePreview(user.id, sessionId);
    return {
      token,
      url: `${sandboxBase(sessionId)}/preview?token=${encodeURIComponent(token)}`,
      expires_at: expiresAt.toISOString(),
    };
  }

  /** `…/preview`: index.html with a `<base>` pointing at the tokenised asset path. */
  async entry(user: AuthUser, sessionId: string, source: TokenSource): Promise<PreviewResult> {
    if (source.fromUrl && source.kind === 'access') {
      return { redirect: this.issueToken(user, sessionId).url };
    }
    const previewToken =
      source.kind === 'preview' ? source.token : this.tokens.issuePreview(user.id, sessionId).token;
    const file = await this.readEntry(user, sessionId);
    const base = `${sandboxBase(sessionId)}/site/${encodeURIComponent(previewToken)}/`;
    const html = withBaseHref(file.content.toString('utf8'), base);
    return { file: { ...file, content: Buffer.from(html, 'utf8') } };
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

  /** `…/site/{previewToken}/{path}`: what the page's relative links resolve to; no path means index.html. */
  async siteFile(
    user: AuthUser,
    sessionId: string,
    path: string | undefined,
  ): Promise<PreviewResult> {
    if (!path) {
      return { file: await this.readEntry(user, sessionId) };
    }
    return { file: await this.sandbox.read({ userId: user.id, sessionId }, path) };
  }

  private async readEntry(user: AuthUser, sessionId: string): Promise<StoredFile> {
    const file = await this.sandbox.find({ userId: user.id, sessionId }, ENTRY_FILE);
    if (!file) {
      throw notFound('The sandbox has no index.html to preview yet');
    }
    return file;
  }
}
