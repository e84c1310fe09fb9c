import type { TestProject } from 'vitest/node';
import { startZoneServers } from './zone-servers';

declare module 'vitest' {
  export interface ProvidedContext {
    dohPort: number;
    tcpPort: number;
  }
}

export default async function setup(project: TestProject) {
  const servers = await startZoneServers();
  project.provide('dohPort', servers.dohPort);
  project.provide('tcpPort', servers.tcpPort);
  return async () => {
    await servers.close();
  };
}
