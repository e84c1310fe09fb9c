/**
 * Seeded mutations of a valid DNS query, shared by the parser fuzz test and
 * the through-the-worker fuzz test so both explore the same inputs.
 */
import { encodeMessage } from '../../src/dns/codec';
import { seededRandom } from './wire';

/** A query with compression, EDNS options and records in every section, so mutations reach them all. */
export const seedQuery = (() => {
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

export type Mutation = (input: Uint8Array, random: () => number) => Uint8Array;
const pick = (random: () => number, n: number) => Math.floor(random() * n);

export const mutations: Mutation[] = [
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

/**
 * Yields `count` mutated messages: mostly single mutations of the seed, some
 * stacked on the previous result to get further from it.
 */
export function* mutatedQueries(
  seed: number,
  count: number,
): Generator<{ iteration: number; mutation: string; bytes: Uint8Array }> {
  const random = seededRandom(seed);
  let current: Uint8Array = seedQuery;
  for (let iteration = 0; iteration < count; iteration++) {
    const input = random() < 0.7 ? seedQuery : current;
    const mutation = mutations[pick(random, mutations.length)];
    if (mutation === undefined) throw new Error('no mutation');
    const bytes = mutation(input, random);
    current = bytes.length > 0 ? bytes : seedQuery;
    yield { iteration, mutation: mutation.name, bytes };
  }
}
