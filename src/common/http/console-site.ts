import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import mime from 'mime-types';
import { brotli, ENCODINGS, gzip, isCompressedCopy, worthCompressing } from './console-compress.js';

/**
 * The console's own policy: its scripts come only from its own files (no inline script, no eval), so a
 * generated page or a message rendered as Markdown can never run script here. Inline styles are allowed
 * because the code editor (CodeMirror) injects its theme as <style> elements. The preview is framed
 * from this origin, and it is itself sandboxed to an opaque origin by its own CSP.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const BASE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONSOLE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
};

/** Vite puts content-hashed files under assets/: they never change, so browsers may keep them a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Everything else (index.html, icons) is revalidated, so a new deploy is picked up at the next load. */
const REVALIDATE = 'no-cache';

interface Asset {
  type: string;
  etag: string;
  cacheControl: string;
  raw: Buffer;
  gzip?: Buffer;
  br?: Buffer;
}

export interface ConsoleAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer | null;
}

/**
 * The compressed form written beside `file` by the build (`console-compress.ts`), when it is there and
 * not older than the file; otherwise compressed now (a console built by `vite build` alone).
 */
function compressedForm(
  file: string,
  suffix: string,
  compress: (raw: Buffer) => Buffer,
  raw: Buffer,
) {
  const copy = file + suffix;
  if (existsSync(copy) && statSync(copy).mtimeMs >= statSync(file).mtimeMs) {
    return readFileSync(copy);
  }
  return compress(raw);
}

function loadAsset(file: string, urlPath: string): Asset {
  const raw = readFileSync(file);
  const type =
    mime.contentType(mime.lookup(file) || 'application/octet-stream') || 'application/octet-stream';
  const asset: Asset = {
    type,
    raw,
    etag: `"${createHash('sha256').update(raw).digest('base64url').slice(0, 22)}"`,
    cacheControl: urlPath.startsWith('/assets/') ? IMMUTABLE : REVALIDATE,
  };
  if (worthCompressing(file, raw.length)) {
    asset.gzip = compressedForm(file, ENCODINGS.gzip, gzip, raw);
    asset.br = compressedForm(file, ENCODINGS.br, brotli, raw);
  }
  return asset;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

/**
 * The web console's built files (`dist/web`, written by `vite build`), held in memory with their gzip
 * and brotli forms (compressed at build time): the whole console is a few hundred KB, and answering
 * from memory keeps `/` off the disk and the compressor off every load. Paths under /api are never ours.
 */
export class ConsoleSite {
  private constructor(private readonly assets: ReadonlyMap<string, Asset>) {}

  static load(dir: string): ConsoleSite {
    const assets = new Map<string, Asset>();
    if (existsSync(join(dir, 'index.html'))) {
      const files = walk(dir);
      const all = new Set(files);
      for (const file of files.filter((f) => !isCompressedCopy(f, all))) {
        const urlPath = '/' + relative(dir, file).split(sep).join('/');
        assets.set(urlPath, loadAsset(file, urlPath));
      }
    }
    return new ConsoleSite(assets);
  }

  get built(): boolean {
    return this.assets.has('/index.html');
  }

  /**
   * The answer for a GET or HEAD outside /api, or null to let the API's router answer (and 404). A path
   * that names no file is a route of the single-page app when a browser navigates to it (it accepts
   * HTML) and has no file extension; anything else that is not a file stays a JSON 404.
   */
  answer(
    method: string,
    path: string,
    headers: { accept?: string; acceptEncoding?: string; ifNoneMatch?: string },
  ): ConsoleAnswer | null {
    if ((method !== 'GET' && method !== 'HEAD') || path === '/api' || path.startsWith('/api/')) {
      return null;
    }
    let asset = this.assets.get(path === '/' ? '/index.html' : path);
    if (!asset) {
      const last = path.slice(path.lastIndexOf('/') + 1);
      const navigation = (headers.accept ?? '').includes('text/html') && !last.includes('.');
      asset = navigation ? this.assets.get('/index.html') : undefined;
    }
    if (!asset) {
      return null;
    }
    const out: Record<string, string> = {
      ...BASE_HEADERS,
      'Content-Type': asset.type,
      'Cache-Control': asset.cacheControl,
      ETag: asset.etag,
      Vary: 'Accept-Encoding',
    };
    if (headers.ifNoneMatch === asset.etag) {
      return { status: 304, headers: out, body: null };
    }
    const accepts = headers.acceptEncoding ?? '';
    let body = asset.raw;
    if (asset.br && /\bbr\b/.test(accepts)) {
      body = asset.br;
      out['Content-Encoding'] = 'br';
    } else if (asset.gzip && /\bgzip\b/.test(accepts)) {
      body = asset.gzip;
      out['Content-Encoding'] = 'gzip';
    }
    out['Content-Length'] = String(body.length);
    return { status: 200, headers: out, body: method === 'HEAD' ? null : body };
  }
}

/** Where `vite build` writes the console: `dist/web`, two folders above this compiled file (`dist/common/http/`). */
export function consoleDir(): string {
  return new URL('../../web/', import.meta.url).pathname;
}

/** Writes a console answer on the raw Node response (Fastify's `reply.raw`). */
export function writeConsoleAnswer(
  res: import('node:http').ServerResponse,
  answer: ConsoleAnswer,
): void {
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body ?? undefined);
}

/** The request headers the console looks at, from a raw Node request. */
export function consoleRequestHeaders(req: import('node:http').IncomingMessage) {
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v.join(', ') : v;
  };
  return {
    accept: header('accept'),
    acceptEncoding: header('accept-encoding'),
    ifNoneMatch: header('if-none-match'),
  };
}
