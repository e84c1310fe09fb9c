import { expect, it } from 'vitest';
import { decodeMessage } from '../../src/dns/codec';
import { ANY_ANSWER_TTL } from '../../src/dns/local-answer';
import { parseWireQuery } from '../../src/dns/query-parser';
import { bytes, header, idOf, name, question } from './wire';

it('answers ANY locally with the minimal RFC 8482 HINFO answer', () => {
  const result = parseWireQuery(bytes(header({ id: 99 }), question(name('Example', 'test'), 255)));
  expect(result).toMatchObject({ kind: 'local', rcode: 'NOERROR' });
  if (result.kind !== 'local') return;
  expect(idOf(result.response)).toBe(99);
  const message = decodeMessage(result.response);
  expect(message.questions).toEqual([{ name: 'Example.test', type: 'ANY', class: 'IN' }]);
  expect(message.answers).toMatchObject([
    { name: 'Example.test', type: 'HINFO', ttl: ANY_ANSWER_TTL, data: { cpu: 'RFC8482', os: '' } },
  ]);
});
