/**
 * docs/architecture.md §3 (issue 9, observation 1): every answer a client gets holds only
 * records of the question's class on the question's name and its CNAME
 * chain, whichever path serves it. Records for a foreign owner or beside the
 * chain are dropped; an answer with two CNAMEs for one owner, a CNAME loop, an
 * overlong chain or a record of another class is a failure that never wins
 * and counts against the upstream's health.
 */
import { describe, expect, it } from 'vitest';
import { isolateHealth, isolateTraces } from '../../src/resolver/isolate-resolver';
import { HONEST_ADDRESS, HOSTILE_ADDRESS, Hostility } from '../support/hostility';
import {
  answerLines,
  fourViews,
  hasPoison,
  hostileUpstreams,
  uniqueHostileName,
} from './hostile-worker';

describe('records outside the chain never reach a client', () => {
  it('drops records for a foreign owner and for names off the chain', async () => {
    const upstreams = hostileUpstreams();
    const name = uniqueHostileName(Hostility.foreign);
    const views = await fourViews(name, upstreams);

    expect(answerLines(views.first.message)).toEqual([`${name} A ${HOSTILE_ADDRESS}`]);
    for (const served of [views.first, views.soon, views.after]) {
      expect(hasPoison(served.message)).toBe(false);
      expect(served.message.answers?.every((r) => r.name.toLowerCase() === name)).toBe(true);
    }
    expect(views.pool?.records.map((r) => r.data).sort()).toEqual([
      HOSTILE_ADDRESS,
      HONEST_ADDRESS,
    ]);
    expect(answerLines(views.after.message).sort()).toEqual(
      [`${name} A ${HOSTILE_ADDRESS}`, `${name} A ${HONEST_ADDRESS}`].sort(),
    );
  });

  it('keeps the CNAME chain and drops data beside it and other CNAMEs into it', async () => {
    const upstreams = hostileUpstreams();
    const name = uniqueHostileName(Hostility.offChain);
    const views = await fourViews(name, upstreams);
    const chain = [`${name} CNAME edge.${name}`];

    expect(answerLines(views.first.message)).toEqual([
      ...chain,
      `edge.${name} A ${HOSTILE_ADDRESS}`,
    ]);
    for (const served of [views.first, views.soon, views.after]) {
      expect(hasPoison(served.message)).toBe(false);
      expect(answerLines(served.message).filter((l) => l.includes('CNAME'))).toEqual(chain);
    }
    expect(views.pool?.records.some((r) => r.data.startsWith('203.0.113.'))).toBe(false);
  });
});

describe('an answer that cannot be trusted never wins', () => {
  const cases = [
    {
      behaviour: Hostility.twoCnames,
      kind: 'ambiguous',
      honest: (n: string) => [`${n} CNAME a.${n}`, `a.${n} A ${HONEST_ADDRESS}`],
    },
    {
      behaviour: Hostility.loop,
      kind: 'malformed',
      honest: (n: string) => [`${n} A ${HONEST_ADDRESS}`],
    },
    {
      behaviour: Hostility.longChain,
      kind: 'malformed',
      honest: (n: string) => [`${n} A ${HONEST_ADDRESS}`],
    },
    {
      behaviour: Hostility.otherClass,
      kind: 'malformed',
      honest: (n: string) => [`${n} A ${HONEST_ADDRESS}`],
    },
  ];

  for (const { behaviour, kind, honest } of cases) {
    it(`serves the honest answer when the fast upstream answers with ${behaviour}, and counts it as ${kind}`, async () => {
      const upstreams = hostileUpstreams();
      const name = uniqueHostileName(behaviour);
      const views = await fourViews(name, upstreams);

      for (const served of [views.first, views.soon, views.after]) {
        expect(answerLines(served.message)).toEqual(honest(name));
        expect(hasPoison(served.message)).toBe(false);
      }
      expect(views.pool?.records.map((r) => r.sources)).toEqual(
        honest(name).map(() => [upstreams.honest]),
      );

      const health = isolateHealth.snapshot().find((s) => s.name === upstreams.hostile);
      expect(health?.failures).toBeGreaterThan(0);
      expect(health?.successes).toBe(0);
      const trace = isolateTraces.list({ name }).at(0);
      expect(trace?.winner).toBe(upstreams.honest);
      expect(trace?.attempts.find((a) => a.upstream === upstreams.hostile)?.outcome).toBe(kind);
    });
  }
});
