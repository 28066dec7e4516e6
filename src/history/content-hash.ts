import { createHash } from 'node:crypto';

/** The content address of the history and the ETag of the files API: SHA-256, lowercase hex. */
export const contentHash = (content: Buffer): string =>
  createHash('sha256').update(content).digest('hex');
