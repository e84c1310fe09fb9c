import { describe, expect, it } from 'vitest';
import { compileNamePolicy } from '../../src/tenants/name-policy';

describe('compileNamePolicy', () => {
  const decide = compileNamePolicy({
    deny: ['ads.example', 'Tracker.Example.', 'blocked.test'],
    allow: ['cdn.tracker.example', 'ok.blocked.test'],
  });

  it('denies a listed suffix itself and every name below it', () => {
    expect(decide('ads.example')).toBe('deny');
    expect(decide('x.ads.example')).toBe('deny');
    expect(decide('a.b.c.ads.example')).toBe('deny');
  });

  it('matches on label boundaries only', () => {
    expect(decide('badads.example')).toBe('pass');
    expect(decide('ads.example.com')).toBe('pass');
    expect(decide('example')).toBe('pass');
  });

  it('ignores case and a trailing dot in both the list and the name', () => {
    expect(decide('X.ADS.Example.')).toBe('deny');
    expect(decide('tracker.example')).toBe('deny');
    expect(decide('pixel.TRACKER.example.')).toBe('deny');
  });

  it('lets an allow entry win over a deny entry to carve an exception out of a blocked zone', () => {
    expect(decide('cdn.tracker.example')).toBe('pass');
    expect(decide('img.cdn.tracker.example.')).toBe('pass');
    expect(decide('ok.blocked.test')).toBe('pass');
    expect(decide('other.blocked.test')).toBe('deny');
  });

  it('lets allow win even when the deny entry is more specific', () => {
    const broad = compileNamePolicy({ allow: ['example'], deny: ['ads.example'] });
    expect(broad('x.ads.example')).toBe('pass');
  });

  it('passes every name when nothing is denied', () => {
    const open = compileNamePolicy({ allow: ['example'], deny: [] });
    expect(open('ads.example')).toBe('pass');
    expect(open('anything.test')).toBe('pass');
  });

  it('passes the root name', () => {
    expect(decide('.')).toBe('pass');
    expect(decide('')).toBe('pass');
  });
});
