import { Inject, Injectable } from '@nestjs/common';
import { rateLimited } from '../common/errors/app-error.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';

/** A client opening another stream soon after one ends usually succeeds; a few seconds is a fair wait. */
const RETRY_AFTER_SEC = 5;

/**
 * Open SSE streams per user (`LIMIT_STREAMS_PER_USER`), counted on this replica: each open stream holds
 * a socket, timers and a buffer here, so the bound that protects this process is this process's count.
 */
@Injectable()
export class StreamSlots {
  private readonly open = new Map<number, number>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Takes a slot for one stream, or 429; the returned release may be called any number of times. */
  acquire(userId: number): () => void {
    const max = this.config.http.maxStreamsPerUser;
    const count = this.open.get(userId) ?? 0;
    if (max > 0 && count >= max) {
      throw rateLimited(
        `Too many open streams (${max}); close one before opening another`,
        RETRY_AFTER_SEC,
      );
    }
    this.open.set(userId, count + 1);
    let released = false;
    return () => {
      if (released) {
        return;
      }
      released = true;
      const left = (this.open.get(userId) ?? 1) - 1;
      if (left > 0) {
        this.open.set(userId, left);
      } else {
        this.open.delete(userId);
      }
    };
  }
}
