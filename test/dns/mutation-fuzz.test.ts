import { expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../src/dns/codec';
import { parseWireQuery } from '../../src/dns/query-parser';
import { idOf, seededRandom } from './wire';

const SEED = 0x5eed_d05;
const MUTATIONS = 12_000;

/** A query with compression, EDNS options and records in every section, so mutations reach them all. */
const seedQuery = (() => {
  const base = encodeMessage({
    id: 0x2a2a,
    type: 'query',
    flags: 0x0100,
    questions: [{ name: 'www.example.test', type: 'AAAA', class: 'IN' }],
    answers: [{ name: 'www.example.test', type: 'CNAME', ttl: 60, data: 'example.test' }],
    authorities: [{ name: 'example.test', type: 'NS', ttl: 60, data: 'ns.example.test' }],
    additionals: [
      {
        name: '.',
        type: 'OPT',
        udpPayloadSize: 4096,
        extendedRcode: 0,
        ednsVersion: 0,
        flags: 0x8000,
        flag_do: true,
        options: [{ code: 12, length: 8 }],
      },
    ],
  });
  return base;
})();

type Mutation = (input: Uint8Array, random: () => number) => Uint8Array;
const pick = (random: () => number, n: number) => Math.floor(random() * n);

const mutations: Mutation[] = [
  function flipBit(input, random) {
    const out = input.slice();
    const at = pick(random, out.length);
    out[at] = (out[at] ?? 0) ^ (1 << pick(random, 8));
    return out;
  },
  function setByte(input, random) {
    const out = input.slice();
    out[pick(random, out.length)] = pick(random, 256);
    return out;
  },
  function insertByte(input, random) {
    const at = pick(random, input.length + 1);
    return Uint8Array.from([...input.subarray(0, at), pick(random, 256), ...input.subarray(at)]);
  },
  function deleteByte(input, random) {
    const at = pick(random, input.length);
    return Uint8Array.from([...input.subarray(0, at), ...input.subarray(at + 1)]);
  },
  function truncate(input, random) {
    return input.slice(0, pick(random, input.length));
  },
  function randomBytes(_input, random) {
    return Uint8Array.from({ length: pick(random, 80) }, () => pick(random, 256));
  },
  function pointerAt(input, random) {
    const out = input.slice();
    const at = 12 + pick(random, Math.max(1, out.length - 13));
    out[at] = 0xc0 | pick(random, 4);
    out[at + 1] = pick(random, 256);
    return out;
  },
];

it('survives 12,000 seeded mutations of a valid query with a reject, a local answer or a forwardable query', () => {
  const random = seededRandom(SEED);
  const outcomes = { query: 0, local: 0, reject: 0 };
  let current: Uint8Array = seedQuery;
  for (let i = 0; i < MUTATIONS; i++) {
    // Mostly mutate the seed, sometimes stack mutations to get further from it.
    const input = random() < 0.7 ? seedQuery : current;
    const mutation = mutations[pick(random, mutations.length)];
    if (mutation === undefined) throw new Error('no mutation');
    const mutated = mutation(input, random);
    current = mutated.length > 0 ? mutated : seedQuery;

    let result: ReturnType<typeof parseWireQuery>;
    try {
      result = parseWireQuery(mutated);
    } catch (error) {
      throw new Error(`seed ${SEED}, iteration ${i}: parseWireQuery threw ${String(error)}`);
    }
    outcomes[result.kind]++;
    const where = `seed ${SEED}, iteration ${i}, ${mutation.name}`;
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
