import { describe, expect, it } from 'vitest';
import { ClientLockout } from '../../src/admin/client-lockout';

describe('ClientLockout', () => {
  it('locks a client until the given time and forgets it afterwards', () => {
    const lockout = new ClientLockout();
    lockout.lock('v4:192.0.2.1', 1_000);
    expect(lockout.isLocked('v4:192.0.2.1', 999)).toBe(true);
    expect(lockout.isLocked('v4:192.0.2.2', 999)).toBe(false);
    expect(lockout.isLocked('v4:192.0.2.1', 1_000)).toBe(false);
  });

  it('forgets the oldest lockouts beyond its bound', () => {
    const lockout = new ClientLockout(2);
    lockout.lock('a', 100);
    lockout.lock('b', 100);
    lockout.lock('c', 100);
    expect(lockout.isLocked('a', 0)).toBe(false);
    expect(lockout.isLocked('b', 0)).toBe(true);
    expect(lockout.isLocked('c', 0)).toBe(true);
  });
});
