/** Signed trace-page links: bound to one path and one secret, and they expire. */
import { describe, expect, it } from 'vitest';
import { LINK_WINDOW_SECONDS, pathSigner, verifySignedPath } from '../../src/admin/signed-link';

const SECRET = 'a-secret-of-at-least-thirty-two-characters';
const PATH = '/admin/traces/0123456789abcdef/view';
const NOW = Date.UTC(2026, 0, 1, 12, 1, 0);

async function signed(path = PATH, secret = SECRET, now = NOW) {
  const url = new URL(await (await pathSigner(secret, now))(path), 'http://localhost');
  return {
    expires: url.searchParams.get('expires') ?? undefined,
    sig: url.searchParams.get('sig') ?? undefined,
  };
}

describe('signed links', () => {
  it('verifies for its own path and secret until it expires, 5 to 10 minutes later', async () => {
    const { expires, sig } = await signed();
    const expiresMs = Number(expires) * 1000;
    expect(expiresMs - NOW).toBeGreaterThan(LINK_WINDOW_SECONDS * 1000);
    expect(expiresMs - NOW).toBeLessThanOrEqual(2 * LINK_WINDOW_SECONDS * 1000);
    expect(await verifySignedPath(SECRET, PATH, expires, sig, NOW)).toBe(true);
    expect(await verifySignedPath(SECRET, PATH, expires, sig, expiresMs - 1)).toBe(true);
    expect(await verifySignedPath(SECRET, PATH, expires, sig, expiresMs)).toBe(false);
  });

  it('fails for another path, another secret, a moved expiry or a malformed signature', async () => {
    const { expires, sig } = await signed();
    const other = '/admin/traces/fedcba9876543210/view';
    expect(await verifySignedPath(SECRET, other, expires, sig, NOW)).toBe(false);
    expect(await verifySignedPath(`${SECRET}x`, PATH, expires, sig, NOW)).toBe(false);
    const later = String(Number(expires) + LINK_WINDOW_SECONDS);
    expect(await verifySignedPath(SECRET, PATH, later, sig, NOW)).toBe(false);
    for (const bad of [undefined, '', 'zz', `${sig}00`, sig?.toUpperCase()]) {
      expect(await verifySignedPath(SECRET, PATH, expires, bad, NOW)).toBe(false);
    }
    expect(await verifySignedPath(SECRET, PATH, undefined, sig, NOW)).toBe(false);
  });

  it('gives every request in the same five-minute window the same link', async () => {
    const later = NOW + 60_000;
    expect(await signed(PATH, SECRET, later)).toEqual(await signed());
  });
});
