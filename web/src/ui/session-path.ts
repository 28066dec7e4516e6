/**
 * The path parameter of a session's sub-routes (`/api/sessions/{id}/…`). The OpenAPI document does
 * not declare `{id}` on most of them (their controllers take it through a guard), so the generated
 * types say `path?: never`; openapi-fetch still fills `{id}` from `params.path` at run time.
 */
export const sessionPath = (id: string) => ({ id }) as never;
