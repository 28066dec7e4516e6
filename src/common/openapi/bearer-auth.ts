import type { DocumentBuilder } from '@nestjs/swagger';

type SecuritySchemeObject = NonNullable<Parameters<DocumentBuilder['addBearerAuth']>[0]>;

/** The one bearer scheme, for the served document and the generated docs alike. */
export const BEARER_AUTH: SecuritySchemeObject = {
  type: 'http',
  scheme: 'bearer',
  description:
    'One of: an access token (from register or login), a personal API key (`aeio_…`, from ' +
    'POST /api/auth/api-keys), or an access token of the company’s identity provider ' +
    '(when AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE are set)',
};
