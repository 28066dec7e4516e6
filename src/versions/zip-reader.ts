import { promisify } from 'node:util';
import yauzl from 'yauzl';
import { AppError, badRequest, payloadTooLarge } from '../common/errors/app-error.js';
import { parseSandboxPath } from '../sandbox/sandbox-path.js';

export interface ZipLimits {
  maxFileBytes: number;
  maxTotalBytes: number;
  maxFiles: number;
}

const fromBuffer = promisify(
  yauzl.fromBuffer as (
    buffer: Buffer,
    options: yauzl.Options,
    callback: (err: Error | null, zip: yauzl.ZipFile) => void,
  ) => void,
);

/**
 * Largest ratio of declared uncompressed bytes to archive bytes accepted past `RATIO_FLOOR`: deflate
 * tops out near 1 030:1 on zeros, real sites stay far below 100:1, and a bomb lives on the ratio (a
 * 160 KB zip declaring 100 MiB made the server inflate and hold all of it).
 */
export const MAX_COMPRESSION_RATIO = 100;
/** Below this many declared bytes the ratio is not judged (tiny archives of repetitive text). */
const RATIO_FLOOR = 8 * 1024 * 1024;

/**
 * Reads every file of a zip into memory, refusing before the caller writes anything, and judging all
 * that the central directory declares before a single byte is inflated: names that are not sandbox
 * paths (zip-slip, absolute, backslashes) or that repeat → 400; an entry, the total, the file count or
 * the compression ratio over its limit → 413. Then each entry is inflated in turn, counted while it
 * streams (a zip bomb lies in its headers, so inflation stops at the first byte past its declared size
 * or a limit). Directory entries are skipped: folders are implied by the file paths.
 */
export async function readZip(body: Buffer, limits: ZipLimits): Promise<Map<string, Buffer>> {
  let zip: yauzl.ZipFile | undefined;
  try {
    // validateEntrySizes off: the sizes are checked here, so a lie is a 413 and not a stream error.
    zip = await fromBuffer(body, {
      lazyEntries: true,
      validateEntrySizes: false,
      autoClose: false,
    });
    if (zip.entryCount > limits.maxFiles * 2 + 1000) {
      throw payloadTooLarge(
        `The archive has ${zip.entryCount} entries; a sandbox holds at most ${limits.maxFiles} files`,
      );
    }
    const entries = checkDirectory(await listEntries(zip), body.length, limits);
    const files = new Map<string, Buffer>();
    for (const [path, entry] of entries) {
      files.set(path, await inflate(zip, entry, path, limits.maxFileBytes));
    }
    return files;
  } catch (err) {
    if (err instanceof AppError) {
      throw err;
    }
    throw badRequest(`Not a valid zip archive: ${(err as Error).message}`);
  } finally {
    zip?.close();
  }
}

/** The central directory's file entries, read without inflating anything. */
function listEntries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  const entries: yauzl.Entry[] = [];
  return new Promise((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', () => resolve(entries));
    zip.on('entry', (entry: yauzl.Entry) => {
      if (!entry.fileName.endsWith('/')) {
        entries.push(entry);
      }
      zip.readEntry();
    });
    zip.readEntry();
  });
}

/** Every check the declared sizes and names allow, before inflation; returns the entries by path. */
function checkDirectory(
  entries: yauzl.Entry[],
  archiveBytes: number,
  limits: ZipLimits,
): Map<string, yauzl.Entry> {
  const byPath = new Map<string, yauzl.Entry>();
  let declaredTotal = 0;
  for (const entry of entries) {
    const path = parseSandboxPath(entry.fileName);
    if (byPath.has(path)) {
      throw badRequest(`${path} appears more than once in the archive`);
    }
    if (entry.isEncrypted()) {
      throw badRequest(`${path}: encrypted entries are not supported`);
    }
    if (entry.uncompressedSize > limits.maxFileBytes) {
      throw payloadTooLarge(
        `${path} is ${entry.uncompressedSize} bytes; the limit is ${limits.maxFileBytes} bytes per file`,
      );
    }
    declaredTotal += entry.uncompressedSize;
    if (declaredTotal > limits.maxTotalBytes) {
      throw payloadTooLarge(
        `The archive holds more than ${limits.maxTotalBytes} bytes uncompressed; the limit is ${limits.maxTotalBytes} bytes per session`,
      );
    }
    byPath.set(path, entry);
    if (byPath.size > limits.maxFiles) {
      throw payloadTooLarge(
        `The archive holds more than ${limits.maxFiles} files; a sandbox holds at most ${limits.maxFiles}`,
      );
    }
  }
  if (declaredTotal > RATIO_FLOOR && declaredTotal > archiveBytes * MAX_COMPRESSION_RATIO) {
    throw payloadTooLarge(
      `The archive inflates to ${declaredTotal} bytes from ${archiveBytes}, more than ${MAX_COMPRESSION_RATIO}:1; refused as a zip bomb`,
    );
  }
  return byPath;
}

/** One entry's bytes, inflation stopped at the first byte past its declared size or the file limit. */
function inflate(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry,
  path: string,
  maxFileBytes: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err) {
        reject(err);
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > entry.uncompressedSize || size > maxFileBytes) {
          stream.destroy();
          reject(
            payloadTooLarge(
              `${path} inflates past the size it declares or past the limits; refused as a zip bomb`,
            ),
          );
          return;
        }
        chunks.push(chunk);
      });
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(chunks, size)));
    });
  });
}
