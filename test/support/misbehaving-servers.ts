/**
 * Loopback upstreams that misbehave on purpose, chosen by the query name
 * (see `Misbehaviour`): one DNS-over-TCP server and one DoH server. They let
 * the transport and exchange tests produce every failure kind from real bytes
 * on a real socket instead of from mocks.
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type DnsMessage, decodeMessage, encodeMessage } from '../../src/dns/codec';
import { DNS_MESSAGE, handleAsync, readDnsQuery, sendDnsMessage } from './dns-http';
import { listenHttp, listenTcp } from './loopback-listener';
import { MISBEHAVIOUR_ADDRESS, MISBEHAVIOUR_TTL, Misbehaviour } from './misbehaviour';
import type { RequestLog } from './request-log';
import { frame, readFrames } from './tcp-framing';
import { answerFromTestZone, Rcode, respond } from './test-zone';

export const MISBEHAVING_TCP_SERVER = 'bad-tcp';
export const MISBEHAVING_HTTP_SERVER = 'bad-http';
/**
 * Where the redirecting misbehaviours point: another loopback port that only
 * records what arrives, so a test can prove a redirect was never followed.
 */
export const REDIRECT_TARGET_SERVER = 'redirect-target';

/** Opcode STATUS (RFC 1035 §4.1.1), shifted into the header flags. */
const OPCODE_STATUS_FLAGS = 2 << 11;
const FLAG_TC = 0x0200;
/** Gap between single-byte writes, long enough that the client sees separate reads. */
const ONE_BYTE_WRITE_GAP_MS = 1;
/** One byte more than the largest DNS message. */
const OVERSIZED_BODY_BYTES = 65536;
/** Not a DNS message: shorter than the 12-byte header. */
const GARBAGE = new TextEncoder().encode('garbage!');

export interface MisbehavingServers {
  readonly tcpPort: number;
  readonly httpPort: number;
  readonly redirectTargetPort: number;
  close(): Promise<void>;
}

export async function startMisbehavingServers(log: RequestLog): Promise<MisbehavingServers> {
  log.register(MISBEHAVING_TCP_SERVER);
  log.register(MISBEHAVING_HTTP_SERVER);
  log.register(REDIRECT_TARGET_SERVER);
  // Records any request at all, DNS or not, and answers it correctly: a
  // followed redirect would then even look like success to the resolver.
  const target = await listenHttp((request, response) => {
    handleAsync(response, async () => {
      const query = await readDnsQuery(request, response);
      if (query === undefined) {
        log.record(REDIRECT_TARGET_SERVER, 'http', new Uint8Array());
        return;
      }
      log.record(REDIRECT_TARGET_SERVER, 'http', query);
      sendDnsMessage(response, encodeMessage(correctAnswer(decodeMessage(query))));
    });
  });
  const redirectLocation = `http://127.0.0.1:${target.port}/dns-query`;
  const tcp = await listenTcp((socket) => {
    readFrames(socket, (query) => {
      log.record(MISBEHAVING_TCP_SERVER, 'tcp', query);
      void misbehaveOverTcp(socket, query).catch(() => socket.destroy());
    });
  });
  const http = await listenHttp((request, response) => {
    handleAsync(response, async () => {
      const query = await readDnsQuery(request, response);
      if (query === undefined) return;
      log.record(MISBEHAVING_HTTP_SERVER, 'http', query);
      await misbehaveOverHttp(response, query, redirectLocation);
    });
  });
  return {
    tcpPort: tcp.port,
    httpPort: http.port,
    redirectTargetPort: target.port,
    close: async () => {
      await Promise.all([tcp.close(), http.close(), target.close()]);
    },
  };
}

async function misbehaveOverTcp(socket: Socket, queryBytes: Uint8Array): Promise<void> {
  const query = decodeMessage(queryBytes);
  const name = query.questions?.[0]?.name.toLowerCase();
  switch (name) {
    case Misbehaviour.closeBeforeAnswer:
      socket.end();
      return;
    case Misbehaviour.closeMidMessage: {
      const framed = frame(encodeMessage(correctAnswer(query)));
      socket.end(framed.subarray(0, Math.floor(framed.length / 2)));
      return;
    }
    case Misbehaviour.garbage:
      socket.write(frame(GARBAGE));
      return;
    case Misbehaviour.oneByteWrites:
      socket.setNoDelay(true);
      for (const byte of frame(encodeMessage(correctAnswer(query)))) {
        if (socket.destroyed) return;
        socket.write(Uint8Array.of(byte));
        await sleep(ONE_BYTE_WRITE_GAP_MS);
      }
      return;
    case Misbehaviour.neverAnswers:
      return;
    default:
      socket.write(frame(encodeMessage(wrongAnswer(query, name))));
  }
}

async function misbehaveOverHttp(
  response: ServerResponse,
  queryBytes: Uint8Array,
  redirectLocation: string,
): Promise<void> {
  const query = decodeMessage(queryBytes);
  const name = query.questions?.[0]?.name.toLowerCase();
  const correct = encodeMessage(correctAnswer(query));
  switch (name) {
    case Misbehaviour.closeBeforeAnswer:
      response.socket?.destroy();
      return;
    case Misbehaviour.closeMidMessage:
      response.writeHead(200, { 'content-type': DNS_MESSAGE, 'content-length': correct.length });
      response.write(correct.subarray(0, Math.floor(correct.length / 2)));
      // Let the half message leave before the connection is cut.
      await sleep(ONE_BYTE_WRITE_GAP_MS);
      response.socket?.destroy();
      return;
    case Misbehaviour.garbage:
      sendDnsMessage(response, GARBAGE);
      return;
    case Misbehaviour.oneByteWrites:
      response.writeHead(200, { 'content-type': DNS_MESSAGE, 'content-length': correct.length });
      for (const byte of correct) {
        if (response.destroyed) return;
        response.write(Uint8Array.of(byte));
        await sleep(ONE_BYTE_WRITE_GAP_MS);
      }
      response.end();
      return;
    case Misbehaviour.neverAnswers:
      return;
    case Misbehaviour.redirect307:
      response.writeHead(307, { location: redirectLocation }).end();
      return;
    case Misbehaviour.redirect308:
      response.writeHead(308, { location: redirectLocation }).end();
      return;
    case Misbehaviour.http500:
      response.writeHead(500, { 'content-type': 'text/plain' }).end('upstream exploded\n');
      return;
    case Misbehaviour.wrongContentType:
      response.writeHead(200, { 'content-type': 'text/html' }).end(correct);
      return;
    case Misbehaviour.oversizedBody:
      response.writeHead(200, { 'content-type': DNS_MESSAGE });
      response.end(new Uint8Array(OVERSIZED_BODY_BYTES));
      return;
    default:
      sendDnsMessage(response, encodeMessage(wrongAnswer(query, name)));
  }
}

/** The answer a correct server would give: an A record for the misbehaviour names, else the zone's. */
function correctAnswer(query: DnsMessage): DnsMessage {
  const question = query.questions?.[0];
  const isMisbehaviourName = Object.values(Misbehaviour).some(
    (name) => name === question?.name.toLowerCase(),
  );
  if (question === undefined || !isMisbehaviourName) return answerFromTestZone(query);
  return respond(
    query,
    Rcode.NOERROR,
    [
      {
        name: question.name,
        type: 'A',
        class: 'IN',
        ttl: MISBEHAVIOUR_TTL,
        data: MISBEHAVIOUR_ADDRESS,
      },
    ],
    [],
  );
}

/** The correct answer with the one header or question field the name asks to break. */
function wrongAnswer(query: DnsMessage, name: string | undefined): DnsMessage {
  const answer = correctAnswer(query);
  const flags = answer.flags ?? 0;
  switch (name) {
    case Misbehaviour.wrongId:
      return { ...answer, id: ((query.id ?? 0) + 1) & 0xffff };
    case Misbehaviour.wrongQuestion:
      return {
        ...answer,
        questions: (query.questions ?? []).map((q) => ({ ...q, name: `other.${q.name}` })),
      };
    case Misbehaviour.notAResponse:
      return { ...answer, type: 'query' };
    case Misbehaviour.wrongOpcode:
      return { ...answer, flags: flags | OPCODE_STATUS_FLAGS };
    case Misbehaviour.truncated:
      return { ...answer, flags: flags | FLAG_TC, answers: [] };
    default:
      return answer;
  }
}
