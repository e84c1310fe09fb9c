import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { decodeMessage, encodeMessage } from '../../src/dns/codec';

export function answerFromZone(query: Uint8Array): Uint8Array {
  const message = decodeMessage(query);
  const question = message.questions?.[0];
  return encodeMessage({
    id: message.id ?? 0,
    type: 'response',
    flags: 0x0100 | 0x0080,
    questions: message.questions ?? [],
    answers:
      question?.type === 'A'
        ? [{ name: question.name, type: 'A', class: 'IN', ttl: 300, data: '192.0.2.1' }]
        : [],
  });
}

export async function startZoneServers() {
  const http = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = answerFromZone(new Uint8Array(Buffer.concat(chunks)));
      res.writeHead(200, { 'content-type': 'application/dns-message' });
      res.end(body);
    });
  });
  const tcp = createTcpServer((socket) => {
    let pending = Buffer.alloc(0);
    socket.on('data', (c: Buffer) => {
      pending = Buffer.concat([pending, c]);
      while (pending.length >= 2) {
        const len = pending.readUInt16BE(0);
        if (pending.length < len + 2) break;
        const answer = answerFromZone(new Uint8Array(pending.subarray(2, len + 2)));
        pending = pending.subarray(len + 2);
        const frame = Buffer.alloc(answer.length + 2);
        frame.writeUInt16BE(answer.length, 0);
        frame.set(answer, 2);
        socket.write(frame);
      }
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
  return {
    dohPort: (http.address() as AddressInfo).port,
    tcpPort: (tcp.address() as AddressInfo).port,
    close: async () => {
      await new Promise((r) => http.close(r));
      await new Promise((r) => tcp.close(r));
    },
  };
}
