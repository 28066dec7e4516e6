import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib';
import mime from 'mime-types';

/**
 * The console's files are compressed once, at build time (`npm run build` runs this file on
 * `dist/web`), and written beside each file as `.gz` and `.br`. Brotli at quality 11 costs seconds of
 * CPU for the whole console, which every start of the service (and every e2e boot) used to pay.
 */

const COMPRESSIBLE = /^(text\/|application\/(javascript|json|manifest\+json|xml)|image\/svg\+xml)/;

/** The encodings written beside a file, by file suffix. */
export const ENCODINGS = { br: '.br', gzip: '.gz' } as const;

/** Whether a file of this name and size is worth sending compressed. */
export function worthCompressing(file: string, size: number): boolean {
  const type = mime.contentType(mime.lookup(file) || 'application/octet-stream') || '';
  return COMPRESSIBLE.test(type) && size > 1024;
}

export function gzip(raw: Buffer): Buffer {
  return gzipSync(raw, { level: 9 });
}

export function brotli(raw: Buffer): Buffer {
  return brotliCompressSync(raw, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } });
}

/** True for a file this step wrote (`x.js.br` beside `x.js`), which is not an asset of its own. */
export function isCompressedCopy(file: string, siblings: ReadonlySet<string>): boolean {
  return Object.values(ENCODINGS).some(
    (suffix) => file.endsWith(suffix) && siblings.has(file.slice(0, -suffix.length)),
  );
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

/** Writes `.gz` and `.br` beside every compressible file under `dir`; returns how many it compressed. */
export function compressConsole(dir: string): number {
  const files = walk(dir);
  const all = new Set(files);
  let count = 0;
  for (const file of files) {
    const size = statSync(file).size;
    if (isCompressedCopy(file, all) || !worthCompressing(file, size)) {
      continue;
    }
    const raw = readFileSync(file);
    writeFileSync(file + ENCODINGS.gzip, gzip(raw));
    writeFileSync(file + ENCODINGS.br, brotli(raw));
    count++;
  }
  return count;
}

// `node dist/common/http/console-compress.js <dir>`: the build's last step.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = process.argv[2] ?? 'dist/web';
  console.log(`compressed ${compressConsole(dir)} console files in ${dir} (gzip and brotli)`);
}
