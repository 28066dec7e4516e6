import { ApiParam } from '@nestjs/swagger';

/**
 * The `{id}` of routes under `sessions/:id/…`. Those handlers take the session from the ownership guard
 * (`@CurrentSession()`), not from `@Param`, so Swagger would not know the parameter exists and typed
 * clients generated from the document could not fill it in.
 */
export const ApiSessionParam = () =>
  ApiParam({
    name: 'id',
    description: 'the session id: 32 lowercase hex characters',
    schema: { type: 'string', pattern: '^[0-9a-f]{32}$' },
  });
