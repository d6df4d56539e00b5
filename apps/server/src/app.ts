/**
 * Wires the server together: media workers, rooms, HTTP and signaling.
 * `startApp` is what main.ts runs and what integration tests start in-process.
 *
 * `close` is a graceful restart (SIGTERM, SIGINT): new requests and sockets
 * get 503, every member is told the server is restarting (roomClosed
 * server-restart, rejoin: true), every rejoin pass starts its grace period
 * (they are in the database, so the next process honours them), sockets
 * close with 1012, and the process can exit within about a second.
 *
 * The store is SQLite in the data directory, or PostgreSQL when
 * CONCLAVE_DATABASE_URL is set; it is opened (and migrated) before the media
 * workers start, so a database that cannot be used stops the start at once.
 *
 * The short-lived shared state (join tickets, rejoin passes, password
 * throttles: cluster/ephemeral-stores.ts) is built here, once: in this
 * process's memory by default, with the rejoin passes written through to
 * the store; `options.ephemeral` gives other stores (Redis, for several
 * nodes). Everything else receives them as their async interfaces.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { createHttpServer } from './http/http-server.js';
import { loadTls } from './http/tls.js';
import { WorkerPool } from './media/worker-pool.js';
import { WorkerHealthMonitor } from './media/worker-health.js';
import { WorkerLoad } from './media/worker-load.js';
import { RoomRegistry } from './rooms/room-registry.js';
import { Lobby } from './rooms/lobby.js';
import { Moderation } from './rooms/moderation.js';
import { RoomDirectory, TicketRefused } from './rooms/room-directory.js';
import { attachSignaling, type SignalingServer } from './signaling/signaling-server.js';
import { Accounts } from './auth/accounts.js';
import { RejoinPasses } from './rooms/rejoin-passes.js';
import { RedisStreamBus } from './cluster/bus.js';
import { BusRegistry } from './cluster/bus-protocol.js';
import { registerRoomCalls, RemoteRooms } from './cluster/remote-rooms.js';
import { registerMediaCalls } from './cluster/media-calls.js';
import { MediaAgent } from './cluster/media-agent.js';
import { RemoteMedia } from './cluster/remote-media.js';
import { pipeAddressOf } from './cluster/pipe-address.js';
import { ClusterNode } from './cluster/cluster-node.js';
import { memoryEphemeralStores, redisEphemeralStores, type EphemeralStores, type PassesRestored } from './cluster/ephemeral-stores.js';
import { PasswordHasher } from './auth/password-hasher.js';
import { DeviceCookies, loadDeviceKey } from './auth/device-cookie.js';
import { createApi } from './http/api/api-router.js';
import { metricsRoute, startMetricsServer } from './http/metrics-route.js';
import { Metrics } from './metrics.js';
import { TurnCredentialBudget } from './turn/turn-budget.js';
import { openStore, type Store } from './store/store.js';
import { ensurePrivateDir, tightenedLine, type Tightened } from './store/file-modes.js';
import { redactUrl } from './store/redact-url.js';

/** How long a restart waits for sockets to close after telling them (then cuts the rest). */
const SOCKET_DRAIN_MS = 1000;

export interface App {
  readonly port: number;
  readonly pool: WorkerPool;
  readonly registry: RoomRegistry;
  readonly signaling: SignalingServer;
  readonly store: Store;
  readonly accounts: Accounts;
  readonly ephemeral: EphemeralStores;
  /** This node of a cluster (CONCLAVE_REDIS_URL); null on a single node. */
  readonly cluster: ClusterNode | null;
  /** What the ephemeral stores read back at start (null: nothing kept by this node). */
  readonly passesRestored: PassesRestored | null;
  /** The one-time setup link's token while no account exists yet. */
  readonly setupToken: string | null;
  close(): Promise<void>;
}

export interface AppOptions {
  /** The tickets, passes and throttles to use (default: this process's memory, passes written through to `store`). */
  ephemeral?: (store: Store, logger: Logger) => EphemeralStores;
}

/** One node's ephemeral stores: in memory, with rejoin passes written through to the database (they outlive a restart). */
function memoryStoresFor(store: Store, logger: Logger): EphemeralStores {
  const passes = new RejoinPasses(Date.now, {
    store: store.rejoinPasses,
    onStoreError: (err, what) => logger.error({ err, what }, 'rejoin pass not saved: it works until the next restart only'),
  });
  return memoryEphemeralStores({ passes });
}

export async function startApp(config: Config, logger: Logger, options: AppOptions = {}): Promise<App> {
  const tightened = (t: Tightened | null) => t && logger.warn(...tightenedLine(t, 'data at rest'));
  // The data directory is the server's alone (0700): the database, the TLS key and more live there.
  tightened(ensurePrivateDir(config.dataDir));
  // Before the workers start: a bad certificate stops the start at once.
  const tls = config.tls
    ? await loadTls(config.tls, { dataDir: config.dataDir, extraNames: [config.publicIp, config.host], logger })
    : null;
  const store = await openStore({
    dataDir: config.dataDir,
    databaseUrl: config.database.url,
    databasePool: config.database.pool,
    onTightened: tightened,
    onPoolError: (err) => logger.warn({ err }, 'a database connection failed while idle; it will be replaced'),
  });
  if (config.database.url) logger.info({ database: redactUrl(config.database.url), pool: config.database.pool }, 'store: PostgreSQL');
  let pool: WorkerPool;
  try {
    pool = await WorkerPool.start({
      size: config.workers,
      rtcPort: config.rtcPort,
      listenIp: config.rtcListenIp,
      announcedAddress: config.publicIp,
      logger,
    });
  } catch (err) {
    await store.close();
    throw err;
  }
  // Placing peers on workers needs each worker's CPU within a second, not the health monitor's five.
  const load = new WorkerLoad(pool);
  load.start();
  /** Cluster mode: where other nodes send this node's share of a meeting's media (the internal URL's address). */
  const pipeListen = config.cluster
    ? { ip: await pipeAddressOf(config.cluster.internalUrl), portRange: config.pipePorts ?? undefined }
    : null;
  /** Cluster mode: this node's heartbeat and the meetings it is home of (set below, before anyone can join). */
  let cluster: ClusterNode | null = null;
  const registry = new RoomRegistry(pool, logger, {
    policy: { spread: config.workerSpread, softLimit: config.workerCpuSoftLimit },
    load,
    pipePorts: config.pipePorts,
    pipeListen,
    onRoomClosed: (roomId) => cluster?.releaseRoom(roomId),
  });
  if (config.cluster) {
    try {
      cluster = await ClusterNode.start({
        config: config.cluster,
        logger,
        stats: () => ({
          cpu: Math.round(pool.slots.reduce((sum, s) => sum + load.load(s.index), 0) / Math.max(1, pool.slots.length)),
          peers: registry.peerCount,
          rooms: registry.size,
          workers: pool.slots.length,
        }),
      });
    } catch (err) {
      load.stop();
      pool.close();
      await store.close();
      throw err;
    }
    // Another node is the home of a meeting held here now (this node was cut off from Redis too long): its members
    // rejoin, and are placed on that home.
    cluster.onRoomLost((roomId, reason) => {
      logger.warn({ roomId, reason }, 'cluster: no longer the home of this meeting; its members rejoin');
      registry.get(roomId)?.close({ reason: 'server-restart', rejoin: true });
    });
  }
  const ephemeral = (options.ephemeral ?? (cluster ? () => redisEphemeralStores(cluster.redis) : memoryStoresFor))(store, logger);
  const { tickets, passes } = ephemeral;
  const hasher = new PasswordHasher();
  const accounts = new Accounts(store, hasher, logger, config.sessionTtlMs, {
    devices: new DeviceCookies(loadDeviceKey(config.dataDir)),
    limits: ephemeral.login,
    setupLinks: ephemeral.setupLinks,
  });
  const setupToken = await accounts.bootstrap(config.adminPassword);
  const lobby = new Lobby();
  lobby.onChange = (roomId, message) => {
    const room = registry.get(roomId);
    room?.toHosts(message);
    // Cluster mode: a meeting held here only for its lobby, whose last guest went, is nobody's home any more.
    if (!room && cluster && lobby.count(roomId) === 0) cluster.releaseRoom(roomId);
  };
  // Kept past a restart (or a crash): it does not lock people out of a locked meeting or its lobby.
  const passesRestored = await ephemeral.restore();
  if (passesRestored?.passes) logger.info(passesRestored, 'rejoin passes kept from before the restart');
  const purgeAudit = async () => {
    const purged = await store.audit.purgeOlderThan(config.auditRetentionDays);
    if (purged) logger.info({ purged, retentionDays: config.auditRetentionDays }, 'audit log: deleted entries past their retention');
  };
  await purgeAudit();
  const moderation = new Moderation(registry, lobby, store, logger, passes);
  const directory = new RoomDirectory(store, registry, lobby, hasher, config.allowAnonymousRooms, ephemeral);
  /** Cluster mode: requests between nodes (the admin page's view and actions on meetings whose home is elsewhere). */
  let bus: RedisStreamBus | null = null;
  /** Cluster mode: this node's media for meetings homed on other nodes. */
  let agent: MediaAgent | null = null;
  if (cluster) {
    const node = cluster;
    bus = await RedisStreamBus.start({
      redis: node.redis,
      nodeId: node.nodeId,
      registry: registerMediaCalls(registerRoomCalls(new BusRegistry())),
      logger,
    });
    // A meeting homed here may place people's media on other nodes, and other nodes' meetings theirs here.
    await node.watchDirectory();
    const remoteMedia = new RemoteMedia({ bus, nodes: () => node.mediaNodes(), logger });
    registry.remote = remoteMedia;
    agent = new MediaAgent({
      bus,
      pool,
      load,
      policy: { spread: config.workerSpread, softLimit: config.workerCpuSoftLimit },
      pipeListen: pipeListen!,
      nodeStartedAt: (id) => node.nodeStartedAt(id),
      refreshNodes: () => node.refreshDirectory(),
      logger,
    });
    const mediaAgent = agent;
    node.onNodeGone((id) => {
      remoteMedia.nodeGone(id);
      mediaAgent.closeRoomsOf(id);
    });
    const remote = new RemoteRooms(bus, node, logger);
    remote.serve({
      live: async (roomId) => (registry.get(roomId) ? directory.liveHere(roomId) : null),
      end: (roomId, actor) => moderation.end(roomId, actor),
      remove: (roomId, peerId, actor) => moderation.remove(roomId, peerId, actor),
      announceLock: (roomId, locked, actor) => moderation.announceLock(roomId, locked, actor),
      closeDeleted: (roomId, by) => directory.closeDeleted(roomId, by),
    });
    moderation.remote = remote;
    directory.remoteLive = (roomId) => remote.live(roomId);
    directory.remoteDeleted = (roomId, by) =>
      remote.closeDeleted(roomId, by).catch((err: unknown) => {
        logger.warn({ err, roomId }, 'cluster: could not close the meeting of a deleted room on its home');
        return false;
      });
    directory.placeTicket = async (roomId) => {
      const choice = await node.placeTicket(roomId).catch((err: unknown) => {
        logger.warn({ err, roomId }, 'cluster: could not place a ticket (Redis unreachable?)');
        throw new TicketRefused('unavailable', 'the server cannot reach its cluster right now: try again', 2000);
      });
      if (choice.ok) return choice.node;
      throw new TicketRefused(
        'unavailable',
        choice.reason === 'owner-unavailable'
          ? 'the server this meeting was on stopped answering; it moves to another in a few seconds: try again'
          : 'no server can take this meeting right now: try again',
        2000,
      );
    };
  }
  const health = new WorkerHealthMonitor(pool, registry, { elsewhere: (slot) => agent?.countsOn(slot) ?? null });
  health.start();
  const metrics = new Metrics(registry, health);
  /** Set by close(): from then on every request and upgrade gets 503, and /healthz says so. */
  let draining = false;
  let closing: Promise<void> | null = null;
  const refuseWhileDraining = (_req: IncomingMessage, res: ServerResponse): boolean => {
    if (!draining) return false;
    res.writeHead(503, {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      'Retry-After': '2',
      Connection: 'close',
    });
    res.end(JSON.stringify({ error: { code: 'restarting', message: 'the server is restarting; try again in a few seconds' } }));
    return true;
  };
  const api = createApi({
    accounts,
    store,
    directory,
    moderation,
    registry,
    health,
    metrics,
    logger,
    trustProxyHops: config.trustProxyHops,
    allowedOrigins: config.allowedOrigins,
    cluster,
  });
  const server = createHttpServer({
    webDir: config.webDir,
    logger,
    isReady: () => pool.ready && !draining,
    tls: tls && { cert: tls.cert, key: tls.key, hsts: !tls.selfSigned },
    routes: [refuseWhileDraining, api, ...(config.metrics.token ? [metricsRoute(metrics, config.metrics.token)] : [])],
    maxConnectionsPerAddress: config.maxConnectionsPerAddress,
    trustProxyHops: config.trustProxyHops,
  });
  metrics.observeHttpEdge(server.edge);
  const signaling = attachSignaling(
    server,
    {
      registry,
      directory,
      lobby,
      moderation,
      passes,
      audit: store.audit,
      metrics,
      config,
      logger,
      turnBudget: config.turn ? new TurnCredentialBudget(config.turn.credentialsPerMinute) : null,
      cluster,
    },
    {
      tickets,
      accounts,
      cluster: cluster && {
        nodeId: cluster.nodeId,
        secret: cluster.config.secret,
        internalUrlOf: (id) => cluster.internalUrlOf(id),
      },
    },
  );
  const metricsServer = config.metrics.port ? await startMetricsServer(metrics, config.metrics.host, config.metrics.port) : null;
  const sessionSweep = setInterval(() => {
    store.sessions.purgeExpired().catch((err: unknown) => logger.warn({ err }, 'could not purge expired sessions (next try in an hour)'));
    ephemeral.sweep();
  }, 3600_000);
  sessionSweep.unref();
  const auditSweep = setInterval(() => {
    purgeAudit().catch((err: unknown) => logger.warn({ err }, 'could not purge the audit log (next try tomorrow)'));
  }, 24 * 3600_000);
  auditSweep.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (err: NodeJS.ErrnoException) => {
    agent?.close();
    await bus?.close();
    await cluster?.stop();
    load.stop();
    pool.close();
    health.stop();
    await ephemeral.close();
    await store.close();
    void hasher.close();
    throw new Error(`cannot listen on ${config.host}:${config.port}: ${err.code ?? err.message}`);
  });
  const port = (server.address() as AddressInfo).port;
  logger.info(
    {
      url: `${tls ? 'https' : 'http'}://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`,
      workers: config.workers,
      turn: config.turn ? config.turn.urls : 'none',
      iceTransportPolicy: config.iceTransportPolicy,
      ...(tls?.selfSigned ? { selfSignedCertificateSha256: tls.fingerprint256 } : {}),
    },
    'Conclave is up',
  );
  if (setupToken) {
    const link = `${tls ? 'https' : 'http'}://${config.host === '0.0.0.0' || config.host === '127.0.0.1' ? 'localhost' : config.host}:${port}/setup?token=${setupToken}`;
    logger.warn({ setupLink: link }, 'no accounts yet: open the setup link to create the first admin (it works once, for an hour)');
    // Also plainly on stderr, for a person watching `npm start`.
    process.stderr.write(
      `\n  Welcome to Conclave. Create the first admin account here (a one-time link, good for an hour; restart for a new one):\n\n    ${link}\n\n`,
    );
  }

  return {
    port,
    pool,
    registry,
    signaling,
    store,
    accounts,
    ephemeral,
    cluster,
    passesRestored,
    setupToken,
    close() {
      closing ??= (async () => {
        draining = true;
        await cluster?.drain().catch(() => undefined); // no new tickets placed here
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        registry.closeAll(); // every member: "the server is restarting", rejoin
        const released = ephemeral.releaseAll();
        await signaling.drain(SOCKET_DRAIN_MS);
        signaling.close();
        server.closeAllConnections();
        await stopped;
        metricsServer?.close();
        clearInterval(sessionSweep);
        clearInterval(auditSweep);
        health.stop();
        load.stop();
        pool.close();
        await hasher.close();
        await ephemeral.close(); // the releases above, written before the store closes
        agent?.close();
        await bus?.close();
        await cluster?.stop(); // every meeting's home given back; out of the directory
        await store.close();
        logger.info({ rejoinPassesReleased: released }, 'stopped; members rejoin once a server is back on this data');
      })();
      return closing;
    },
  };
}
