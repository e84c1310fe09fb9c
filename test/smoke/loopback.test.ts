import { connect } from 'cloudflare:sockets';
import { env } from 'cloudflare:test';
import { expect, inject, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../src/dns/codec';

it('reaches the loopback DoH server with fetch', async () => {
  const query = encodeMessage({
    id: 0,
    type: 'query',
    flags: 0x0100,
    questions: [{ name: 'a.test', type: 'A', class: 'IN' }],
  });
  const res = await fetch(`http://127.0.0.1:${inject('dohPort')}/dns-query`, {
    method: 'POST',
    body: query,
    headers: { 'content-type': 'application/dns-message' },
  });
  const msg = decodeMessage(new Uint8Array(await res.arrayBuffer()));
  expect(msg.answers?.[0]).toMatchObject({ type: 'A', data: '192.0.2.1' });
  expect(env.ALLOW_LOOPBACK_UPSTREAMS).toBe('true');
});

it('reaches the loopback TCP server with connect()', async () => {
  const query = encodeMessage({
    id: 77,
    type: 'query',
    flags: 0x0100,
    questions: [{ name: 'a.test', type: 'A', class: 'IN' }],
  });
  const socket = connect({ hostname: '127.0.0.1', port: inject('tcpPort') });
  const w = socket.writable.getWriter();
  const frame = new Uint8Array(query.length + 2);
  new DataView(frame.buffer).setUint16(0, query.length);
  frame.set(query, 2);
  await w.write(frame);
  const r = socket.readable.getReader();
  const { value } = await r.read();
  await socket.close();
  expect(value).toBeDefined();
  const msg = decodeMessage((value as Uint8Array).subarray(2));
  expect(msg.id).toBe(77);
});
