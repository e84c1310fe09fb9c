/**
 * The well-behaved loopback upstreams: one DoH server (plain HTTP, POST or GET
 * on `/dns-query`) and one DNS-over-TCP server, both answering from the test
 * zone and recording every query in the shared request log.
 */
import { decodeMessage, encodeMessage } from '../../src/dns/codec';
import { handleAsync, readDnsQuery, sendDnsMessage } from './dns-http';
import { listenHttp, listenTcp } from './loopback-listener';
import type { RequestLog } from './request-log';
import { frame, readFrames } from './tcp-framing';
import { answerFromTestZone } from './test-zone';

/** Names under which the zone servers appear in `GET /stats`. */
export const ZONE_DOH_SERVER = 'zone-doh';
export const ZONE_TCP_SERVER = 'zone-tcp';

export interface ZoneServers {
  readonly dohPort: number;
  readonly tcpPort: number;
  close(): Promise<void>;
}

/** Answers wire bytes from the test zone; undefined for bytes that do not decode. */
export function answerBytesFromTestZone(query: Uint8Array): Uint8Array | undefined {
  try {
    return encodeMessage(answerFromTestZone(decodeMessage(query)));
  } catch {
    return undefined;
  }
}

/** Ports 0 (the tests): any free ones; `npm run dev:local` asks for fixed ones the README can name. */
export async function startZoneServers(
  log: RequestLog,
  ports: { readonly doh?: number; readonly tcp?: number } = {},
): Promise<ZoneServers> {
  log.register(ZONE_DOH_SERVER);
  log.register(ZONE_TCP_SERVER);
  const doh = await listenHttp((request, response) => {
    handleAsync(response, async () => {
      const query = await readDnsQuery(request, response);
      if (query === undefined) return;
      log.record(ZONE_DOH_SERVER, 'http', query);
      const answer = answerBytesFromTestZone(query);
      if (answer === undefined) response.writeHead(400).end();
      else sendDnsMessage(response, answer);
    });
  }, ports.doh);
  const tcp = await listenTcp((socket) => {
    readFrames(socket, (query) => {
      log.record(ZONE_TCP_SERVER, 'tcp', query);
      const answer = answerBytesFromTestZone(query);
      // RFC 7766 §6.2.4: a server may close the connection on a query it cannot parse.
      if (answer === undefined) socket.destroy();
      else socket.write(frame(answer));
    });
  }, ports.tcp);
  return {
    dohPort: doh.port,
    tcpPort: tcp.port,
    close: async () => {
      await Promise.all([doh.close(), tcp.close()]);
    },
  };
}
