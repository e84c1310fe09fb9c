import { describe, expect, it } from 'vitest';
import {
  constantTimeEqual,
  generateToken,
  hashToken,
  TOKEN_PREFIX,
} from '../../src/tenants/tenant-token';

/** `edt_` + 32 bytes in unpadded base64url (43 characters). */
const TOKEN_SHAPE = /^edt_[A-Za-z0-9_-]{43}$/;

describe('generateToken', () => {
  it('prefixes tokens with edt_ and encodes 32 random bytes as base64url', () => {
    const token = generateToken();
    expect(token.startsWith(TOKEN_PREFIX)).toBe(true);
    expect(token).toMatch(TOKEN_SHAPE);
  });

  it('never repeats a token', () => {
    const tokens = new Set(Array.from({ length: 100 }, () => generateToken()));
    expect(tokens.size).toBe(100);
  });
});

describe('hashToken', () => {
  it('is the lower-case hex SHA-256 of the token', async () => {
    // SHA-256("abc"), FIPS 180-2 Appendix B.1.
    expect(await hashToken('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('is stable for one token and differs between tokens', async () => {
    const token = generateToken();
    const hash = await hashToken(token);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await hashToken(token)).toBe(hash);
    expect(await hashToken(generateToken())).not.toBe(hash);
  });
});

describe('constantTimeEqual', () => {
  it('is true for equal strings', () => {
    expect(constantTimeEqual('edt_same', 'edt_same')).toBe(true);
    expect(constantTimeEqual('', '')).toBe(true);
  });

  it('is false for strings of equal length that differ anywhere', () => {
    expect(constantTimeEqual('abcdef', 'abcdeg')).toBe(false);
    expect(constantTimeEqual('abcdef', 'xbcdef')).toBe(false);
  });

  it('is false for strings of different lengths, including a prefix', () => {
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('abcd', 'abc')).toBe(false);
    expect(constantTimeEqual('', 'a')).toBe(false);
  });

  it('compares bytes, so strings of equal length in UTF-16 but not in UTF-8 are unequal', () => {
    expect(constantTimeEqual('é', 'e')).toBe(false);
  });

  it('matches a presented token against its stored hash', async () => {
    const token = generateToken();
    const stored = await hashToken(token);
    expect(constantTimeEqual(await hashToken(token), stored)).toBe(true);
    expect(constantTimeEqual(await hashToken(`${token}x`), stored)).toBe(false);
  });
});
