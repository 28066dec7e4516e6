import { authHeaders, checked, type Schemas } from '../api/client';

/** The URL of a sandbox file: each path segment encoded, the `/` between folders kept. */
export function fileUrl(sessionId: string, filename: string, kind: 'files' | 'static' = 'files') {
  const path = filename.split('/').map(encodeURIComponent).join('/');
  return `/api/sessions/${sessionId}/sandbox/${kind}/${path}`;
}

/** A file as the editor holds it: its text and the ETag to send back with `If-Match`. */
export interface LoadedFile {
  filename: string;
  content: string;
  size: number;
  etag: string | null;
  /** Not UTF-8 text (an image, a font…): shown as a preview or a note, never edited. */
  binary: boolean;
}

const BINARY_EXTENSIONS = new Set([
  'png',
  'jpg',
  'jpeg',
  'gif',
  'webp',
  'avif',
  'bmp',
  'ico',
  'woff',
  'woff2',
  'ttf',
  'otf',
  'eot',
  'pdf',
  'zip',
  'gz',
  'mp3',
  'mp4',
  'webm',
  'ogg',
  'wav',
  'wasm',
]);
const IMAGE_EXTENSIONS = new Set([
  'png',
  'jpg',
  'jpeg',
  'gif',
  'webp',
  'avif',
  'bmp',
  'ico',
  'svg',
]);

export const extensionOf = (filename: string): string => {
  const base = filename.slice(filename.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
};

export const isImage = (filename: string): boolean => IMAGE_EXTENSIONS.has(extensionOf(filename));

/**
 * The files API answers text: a binary file arrives decoded as UTF-8, so replacement characters (or
 * NUL) in it, or a binary extension, mean it is not text the editor may save back.
 */
function looksBinary(filename: string, content: string): boolean {
  return (
    BINARY_EXTENSIONS.has(extensionOf(filename)) ||
    content.includes('\uFFFD') ||
    content.includes('\u0000')
  );
}

export async function readFile(sessionId: string, filename: string): Promise<LoadedFile> {
  const response = await checked(
    await fetch(fileUrl(sessionId, filename), { headers: authHeaders() }),
  );
  const body = (await response.json()) as Schemas['FileContentView'];
  return {
    filename: body.filename,
    content: body.content,
    size: body.size,
    etag: response.headers.get('ETag'),
    binary: looksBinary(filename, body.content),
  };
}

/** Saves a file; with `ifMatch` the service refuses (412) if it is no longer what we read. */
export async function writeFile(
  sessionId: string,
  filename: string,
  content: string,
  ifMatch: string | null,
): Promise<{ etag: string | null; size: number }> {
  const response = await checked(
    await fetch(fileUrl(sessionId, filename), {
      method: 'POST',
      headers: authHeaders({
        'Content-Type': 'application/json',
        ...(ifMatch ? { 'If-Match': ifMatch } : {}),
      }),
      body: JSON.stringify({ content }),
    }),
  );
  const body = (await response.json()) as Schemas['FileSavedView'];
  return { etag: response.headers.get('ETag'), size: body.size };
}

export async function deleteFile(
  sessionId: string,
  filename: string,
  ifMatch: string | null,
): Promise<void> {
  await checked(
    await fetch(fileUrl(sessionId, filename), {
      method: 'DELETE',
      headers: authHeaders(ifMatch ? { 'If-Match': ifMatch } : {}),
    }),
  );
}

/** The raw bytes of a sandbox file (for an image preview), through the header, never a URL token. */
export async function readRaw(sessionId: string, filename: string): Promise<Blob> {
  const response = await checked(
    await fetch(fileUrl(sessionId, filename, 'static'), { headers: authHeaders() }),
  );
  return response.blob();
}

/** Downloads the sandbox as a zip: fetch → Blob → object URL → a clicked `<a download>`. */
export async function downloadZip(sessionId: string): Promise<void> {
  const response = await checked(
    await fetch(`/api/sessions/${sessionId}/sandbox/archive`, { headers: authHeaders() }),
  );
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const named = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  const name = named ? decodeURIComponent(named[1]) : `sandbox-${sessionId}.zip`;
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export async function importZip(sessionId: string, file: File): Promise<Schemas['ImportedView']> {
  const response = await checked(
    await fetch(`/api/sessions/${sessionId}/sandbox/archive`, {
      method: 'POST',
      headers: authHeaders({ 'Content-Type': 'application/zip' }),
      body: file,
    }),
  );
  return (await response.json()) as Schemas['ImportedView'];
}

/**
 * A JSON request by hand, for session routes the typed client cannot build: the OpenAPI document does
 * not declare their `{id}` path parameter (see the report of issue 13). Types still come from Schemas.
 */
export async function requestJson<T>(
  url: string,
  init: { method?: 'GET' | 'POST' | 'PATCH'; body?: unknown } = {},
): Promise<{ data: T; headers: Headers }> {
  const response = await checked(
    await fetch(url, {
      method: init.method ?? 'GET',
      headers: authHeaders(init.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    }),
  );
  return { data: (await response.json()) as T, headers: response.headers };
}
