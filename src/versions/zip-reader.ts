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
 * Reads every file of a zip into memory, refusing before the caller writes anything: names that are
 * not sandbox paths (zip-slip, absolute, backslashes) → 400; an entry or the total over its limit → 413,
 * judged on the sizes the archive declares *and* on the bytes actually inflated, counted while they
 * stream (a zip bomb lies in its headers, so inflation stops at the first byte past either bound).
 * Directory entries are skipped: folders are implied by the file paths.
 */
export async function readZip(body: Buffer, limits: ZipLimits): Promise<Map<string, Buffer>> {
  try {
    // validateEntrySizes off: the sizes are checked here, so a lie is a 413 and not a stream error.
    const zip = await fromBuffer(body, { lazyEntries: true, validateEntrySizes: false });
    if (zip.entryCount > limits.maxFiles * 2 + 1000) {
      zip.close();
      throw payloadTooLarge(
        `The archive has ${zip.entryCount} entries; a sandbox holds at most ${limits.maxFiles} files`,
      );
    }
    return await readEntries(zip, limits);
  } catch (err) {
    if (err instanceof AppError) {
      throw err;
    }
    throw badRequest(`Not a valid zip archive: ${(err as Error).message}`);
  }
}

function readEntries(zip: yauzl.ZipFile, limits: ZipLimits): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  let declaredTotal = 0;
  let actualTotal = 0;
  return new Promise((resolve, reject) => {
    const fail = (err: unknown) => {
      zip.close();
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    zip.on('error', fail);
    zip.on('end', () => resolve(files));
    zip.on('entry', (entry: yauzl.Entry) => {
      try {
        if (entry.fileName.endsWith('/')) {
          zip.readEntry();
          return;
        }
        const path = parseSandboxPath(entry.fileName);
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
        if (!files.has(path) && files.size >= limits.maxFiles) {
          throw payloadTooLarge(
            `The archive holds more than ${limits.maxFiles} files; a sandbox holds at most ${limits.maxFiles}`,
          );
        }
        zip.openReadStream(entry, (err, stream) => {
          if (err) {
            fail(err);
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          stream.on('data', (chunk: Buffer) => {
            size += chunk.length;
            actualTotal += chunk.length;
            if (
              size > entry.uncompressedSize ||
              size > limits.maxFileBytes ||
              actualTotal > limits.maxTotalBytes
            ) {
              stream.destroy();
              fail(
                payloadTooLarge(
                  `${path} inflates past the size it declares or past the limits; refused as a zip bomb`,
                ),
              );
              return;
            }
            chunks.push(chunk);
          });
          stream.on('error', fail);
          stream.on('end', () => {
            files.set(path, Buffer.concat(chunks, size));
            zip.readEntry();
          });
        });
      } catch (err) {
        fail(err);
      }
    });
    zip.readEntry();
  });
}
