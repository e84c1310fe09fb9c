/**
 * Starts every loopback server the tests talk to, once per run, and hands
 * their ports to the tests in workerd through `provide`/`inject`. All servers
 * close in the returned teardown.
 */
import type { TestProject } from 'vitest/node';
import { startControlServer } from './control-server';
import { DEFAULT_FLEET } from './default-fleet';
import { startHostileServers } from './hostile-servers';
import { findUnusedPort } from './loopback-listener';
import { startMisbehavingServers } from './misbehaving-servers';
import { RequestLog } from './request-log';
import { type FleetUpstream, startUpstreamFleet } from './upstream-fleet';
import { startZoneServers } from './zone-servers';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Zone DoH server (plain HTTP, `/dns-query`). */
    dohPort: number;
    /** Zone DNS-over-TCP server. */
    tcpPort: number;
    /** Misbehaving DNS-over-TCP server (behaviour chosen by `Misbehaviour` names). */
    misbehavingTcpPort: number;
    /** Misbehaving DoH server (plain HTTP, `/dns-query`). */
    misbehavingHttpPort: number;
    /** Where the misbehaving DoH server's redirects point; records every arrival. */
    redirectTargetPort: number;
    /** A loopback port nothing listens on: connecting is refused. */
    unusedPort: number;
    /** Hostile DoH upstream: answers at once with what `Hostility` names ask for. */
    hostilePort: number;
    /** Its honest counterpart: a clean answer HONEST_DELAY_MS later. */
    honestPort: number;
    /** Control endpoint: `/stats`, `/fleet`, `/reset`, `/delay`, `/fail`. */
    controlPort: number;
    /** The default fleet as an UPSTREAMS value (`fleet-1=http://…,fleet-2=tcp://…,…`). */
    fleetUpstreams: string;
    /** Names of the default fleet, in UPSTREAMS order. */
    fleetNames: string[];
    /** The default fleet in full: name, transport, url, base delay, addresses. */
    fleet: FleetUpstream[];
  }
}

export default async function setup(project: TestProject) {
  // Close whatever did start if a later server fails to, or the run hangs on open handles.
  const started: Array<{ close(): Promise<void> }> = [];
  const teardown = async () => {
    await Promise.all(started.map((server) => server.close()));
  };
  try {
    const log = new RequestLog();
    const zone = await startZoneServers(log);
    started.push(zone);
    const misbehaving = await startMisbehavingServers(log);
    started.push(misbehaving);
    const hostile = await startHostileServers(log);
    started.push(hostile);
    const fleet = await startUpstreamFleet(DEFAULT_FLEET, log);
    started.push(fleet);
    const control = await startControlServer(log, fleet);
    started.push(control);

    project.provide('dohPort', zone.dohPort);
    project.provide('tcpPort', zone.tcpPort);
    project.provide('misbehavingTcpPort', misbehaving.tcpPort);
    project.provide('misbehavingHttpPort', misbehaving.httpPort);
    project.provide('redirectTargetPort', misbehaving.redirectTargetPort);
    project.provide('hostilePort', hostile.hostilePort);
    project.provide('honestPort', hostile.honestPort);
    project.provide('unusedPort', await findUnusedPort());
    project.provide('controlPort', control.port);
    project.provide('fleetUpstreams', fleet.upstreamsValue);
    project.provide(
      'fleetNames',
      fleet.upstreams.map((u) => u.name),
    );
    project.provide('fleet', [...fleet.upstreams]);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
