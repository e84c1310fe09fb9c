import { expect, it } from 'vitest';
import { decodeMessage } from '../../src/dns/codec';
import { parseWireQuery } from '../../src/dns/query-parser';
import { mutatedQueries } from './mutations';
import { idOf } from './wire';

const SEED = 0x5eed_d05;
const MUTATIONS = 12_000;

it('survives 12,000 seeded mutations of a valid query with a reject, a local answer or a forwardable query', () => {
  const outcomes = { query: 0, local: 0, reject: 0 };
  for (const { iteration: i, mutation, bytes: mutated } of mutatedQueries(SEED, MUTATIONS)) {
    let result: ReturnType<typeof parseWireQuery>;
    try {
      result = parseWireQuery(mutated);
    } catch (error) {
      throw new Error(`seed ${SEED}, iteration ${i}: parseWireQuery threw ${String(error)}`);
    }
    outcomes[result.kind]++;
    const where = `seed ${SEED}, iteration ${i}, ${mutation}`;
    switch (result.kind) {
      case 'reject':
        expect([400, 413], where).toContain(result.status);
        break;
      case 'local':
        expect(idOf(result.response), where).toBe(idOf(mutated));
        expect(() => decodeMessage(result.response), where).not.toThrow();
        break;
      case 'query': {
        const upstream = decodeMessage(result.query.upstreamQuery);
        expect(upstream.id, where).toBe(0);
        expect(upstream.questions?.[0]?.name, where).toBe(result.query.name);
        expect(result.query.id, where).toBe(idOf(mutated));
        break;
      }
    }
  }
  // Every kind of outcome is reached, so the mutations really exercise all paths.
  expect(outcomes.query).toBeGreaterThan(0);
  expect(outcomes.local).toBeGreaterThan(0);
  expect(outcomes.reject).toBeGreaterThan(0);
});
