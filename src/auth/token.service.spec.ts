import { describe, expect, it } from '@jest/globals';
import { JwtService } from '@nestjs/jwt';
import jwt from 'jsonwebtoken';
import { loadConfig } from '../config/app-config.js';
import { TokenService } from './token.service.js';

const SECRET = 'unit-test-secret-unit-test-secret-0123';

function service(env: Record<string, string> = {}) {
  const config = loadConfig({ JWT_SECRET: SECRET, ...env });
  const jwtService = new JwtService({ secret: SECRET, signOptions: { algorithm: 'HS256' } });
  return new TokenService(jwtService, config);
}

describe('TokenService', () => {
  it('issues an HS256 access token naming the user, valid for JWT_EXPIRES_IN', () => {
    const tokens = service({ JWT_EXPIRES_IN: '15m' });
    const token = tokens.issueAccess(42);
    const decoded = jwt.decode(token, { complete: true }) as jwt.Jwt;
    const claims = decoded.payload as jwt.JwtPayload;
    expect(decoded.header.alg).toBe('HS256');
    expect(claims).toMatchObject({ sub: '42', typ: 'access' });
    expect(claims.exp! - claims.iat!).toBe(900);
    expect(tokens.verify(token)).toMatchObject({ sub: '42', typ: 'access' });
  });

  it('binds a preview token to one session for 10 minutes', () => {
    const tokens = service();
    const before = Date.now();
    const { token, expiresAt } = tokens.issuePreview(7, 'a'.repeat(32));
    expect(tokens.verify(token)).toMatchObject({ sub: '7', typ: 'preview', sid: 'a'.repeat(32) });
    expect(expiresAt.getTime() - before).toBeGreaterThan(599_000);
    expect(expiresAt.getTime() - before).toBeLessThanOrEqual(601_000);
  });

  it('refuses tokens signed with another secret, another algorithm, or none', () => {
    const tokens = service();
    const other = jwt.sign({ sub: '1', typ: 'access' }, 'other-secret-other-secret-other-secret');
    const hs384 = jwt.sign({ sub: '1', typ: 'access' }, SECRET, { algorithm: 'HS384' });
    const none = jwt.sign({ sub: '1', typ: 'access' }, '', { algorithm: 'none' });
    for (const token of [other, hs384, none, 'garbage', '']) {
      expect(tokens.verify(token)).toBeNull();
    }
  });

  it('refuses an expired token and one of an unknown type', () => {
    const tokens = service();
    const expired = jwt.sign(
      { sub: '1', typ: 'access', exp: Math.floor(Date.now() / 1000) - 1 },
      SECRET,
    );
    const refresh = jwt.sign({ sub: '1', typ: 'refresh' }, SECRET);
    const badSub = jwt.sign({ sub: 'admin', typ: 'access' }, SECRET);
    expect(tokens.verify(expired)).toBeNull();
    expect(tokens.verify(refresh)).toBeNull();
    expect(tokens.verify(badSub)).toBeNull();
  });
});
