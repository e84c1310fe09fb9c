/**
 * Node listeners on 127.0.0.1 for the test servers. Each tracks its open
 * connections so `close()` really closes: a server that "never answers" keeps
 * sockets open on purpose, and `server.close()` alone would wait for them
 * forever and hang the globalSetup teardown.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net';

/** Only loopback: test servers must never be reachable from the network. */
const LOOPBACK = '127.0.0.1';

export interface LoopbackServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Starts a TCP server; `onConnection` gets every accepted socket. Port 0: any free port. */
export async function listenTcp(
  onConnection: (socket: Socket) => void,
  port = 0,
): Promise<LoopbackServer> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A client that goes away mid-write (the resolver aborting) is normal here.
    socket.on('error', () => socket.destroy());
    onConnection(socket);
  });
  const bound = await listen(server, port);
  return {
    port: bound,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** Starts an HTTP/1.1 server with the given request handler. Port 0: any free port. */
export async function listenHttp(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
  port = 0,
): Promise<LoopbackServer> {
  const server = createHttpServer(handler);
  const bound = await listen(server, port);
  return {
    port: bound,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

/**
 * A port nothing listens on: bound once to learn a free port, then released.
 * Connecting to it is refused (another process could take it in between, which
 * on a test machine's loopback is unlikely enough).
 */
export async function findUnusedPort(): Promise<number> {
  const server = createTcpServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function listen(
  server: {
    listen(port: number, host: string, callback: () => void): unknown;
    address(): AddressInfo | string | null;
    once(event: 'error', listener: (error: Error) => void): unknown;
  },
  port = 0,
): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}
