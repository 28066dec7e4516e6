import { Strategy } from 'passport-strategy';

type Done = (err: Error | null, user?: unknown, info?: unknown) => void;
/** Passport's own type for the request it hands a strategy (on this service, Fastify's). */
type Request = Parameters<Strategy['authenticate']>[0];

/**
 * The smallest Passport strategy: hands the request to a verify callback (Nest's `validate`, through
 * `PassportStrategy`) and reports what it decides. passport-jwt cannot take a JWKS of the IdP with
 * its cooldown, so the OIDC strategy does its own verification in `validate`.
 */
export class BearerCallbackStrategy extends Strategy {
  constructor(private readonly verifyRequest: (req: Request, done: Done) => void) {
    super();
  }

  override authenticate(req: Request): void {
    this.verifyRequest(req, (err, user, info) => {
      if (err) {
        this.error(err);
      } else if (!user) {
        this.fail(info, 401);
      } else {
        this.success(user, info);
      }
    });
  }
}
