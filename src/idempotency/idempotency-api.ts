import type { ApiHeaderOptions } from '@nestjs/swagger';

/** The OpenAPI description of the header, shared by the routes that accept it. */
export const IDEMPOTENCY_API_HEADER: ApiHeaderOptions = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'Up to 255 characters. The same key from the same user within 24 h replays the first answer ' +
    '(status and body, with `Idempotent-Replayed: true`) without doing the work again; with another ' +
    'body → 422; while the first is still in progress → 409. 5xx answers are not kept. On messages, ' +
    'only non-streamed requests use it.',
};
