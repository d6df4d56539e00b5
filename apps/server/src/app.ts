/**
 * Wires the server together: media workers, rooms, HTTP and signaling.
 * `startApp` is what main.ts runs and what integration tests start in-process.
 */
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { createHttpServer } from './http/http-server.js';
import { WorkerPool } from './media/worker-pool.js';
import { RoomRegistry } from './rooms/room-registry.js';
import { attachSignaling, type SignalingServer } from './signaling/signaling-server.js';

export interface App {
  readonly port: number;
  readonly pool: WorkerPool;
  readonly registry: RoomRegistry;
  readonly signaling: SignalingServer;
  close(): Promise<void>;
}

export async function startApp(config: Config, logger: Logger): Promise<App> {
  mkdirSync(config.dataDir, { recursive: true });
  const pool = await WorkerPool.start({
    size: config.workers,
    rtcPort: config.rtcPort,
    listenIp: config.rtcListenIp,
    announcedAddress: config.publicIp,
    logger,
  });
  const registry = new RoomRegistry(pool, logger);
  const server = createHttpServer({ webDir: config.webDir, logger, isReady: () => pool.ready });
  const signaling = attachSignaling(server, { registry, config, logger });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: NodeJS.ErrnoException) => {
    pool.close();
    throw new Error(`cannot listen on ${config.host}:${config.port}: ${err.code ?? err.message}`);
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ url: `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`, workers: config.workers }, 'Conclave is up');

  return {
    port,
    pool,
    registry,
    signaling,
    async close() {
      registry.closeAll();
      signaling.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      pool.close();
    },
  };
}
