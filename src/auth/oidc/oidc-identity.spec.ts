import { describe, expect, it } from '@jest/globals';
import { identityFromClaims } from './oidc-identity.js';

const base = { iss: 'https://idp.example', sub: '00u1abc' };

describe('identityFromClaims', () => {
  it('names the user from preferred_username and keeps a valid email', () => {
    expect(
      identityFromClaims(
        { ...base, preferred_username: 'jane.doe', email: 'Jane@Corp.example' },
        'preferred_username',
      ),
    ).toEqual({
      issuer: 'https://idp.example',
      subject: '00u1abc',
      username: 'jane.doe',
      email: 'Jane@Corp.example',
    });
  });

  it('reads the configured claim instead', () => {
    const id = identityFromClaims(
      { ...base, preferred_username: 'ignored', upn: 'J. Smith' },
      'upn',
    );
    expect(id?.username).toBe('J._Smith');
  });

  it('uses the local part of an email-shaped name', () => {
    const id = identityFromClaims(
      { ...base, preferred_username: 'jane@corp.example' },
      'preferred_username',
    );
    expect(id?.username).toBe('jane');
  });

  it('falls back to the email, then to sub, when the claim is missing or unusable', () => {
    expect(
      identityFromClaims({ ...base, email: 'bob@corp.example' }, 'preferred_username')?.username,
    ).toBe('bob');
    expect(
      identityFromClaims({ ...base, preferred_username: '漢字' }, 'preferred_username')?.username,
    ).toBe('00u1abc');
    expect(identityFromClaims({ ...base, preferred_username: 42 }, 'preferred_username')).toEqual(
      expect.objectContaining({ username: '00u1abc', email: null }),
    );
  });

  it('turns a short or odd name into a valid one', () => {
    expect(
      identityFromClaims({ ...base, preferred_username: 'Ai' }, 'preferred_username')?.username,
    ).toBe('Ai_');
    expect(
      identityFromClaims({ ...base, preferred_username: 'Zoë Ölund' }, 'preferred_username')
        ?.username,
    ).toBe('Zoe_Olund');
  });

  it('drops an invalid email and one the IdP marks unverified', () => {
    expect(identityFromClaims({ ...base, email: 'not an email' }, 'x')?.email).toBeNull();
    expect(
      identityFromClaims({ ...base, email: 'a@corp.example', email_verified: false }, 'x')?.email,
    ).toBeNull();
    expect(
      identityFromClaims({ ...base, email: 'a@corp.example', email_verified: true }, 'x')?.email,
    ).toBe('a@corp.example');
  });

  it('refuses a token without iss or sub', () => {
    expect(identityFromClaims({ sub: 'x' }, 'preferred_username')).toBeNull();
    expect(identityFromClaims({ iss: 'https://idp.example' }, 'preferred_username')).toBeNull();
    expect(identityFromClaims({ ...base, sub: '' }, 'preferred_username')).toBeNull();
  });
});
