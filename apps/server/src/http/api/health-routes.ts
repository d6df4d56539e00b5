/** Worker health for the admin page: now and the last minutes. Admins only. */
import type { ClusterNodeHealth } from '@conclave/protocol';
import type { ClusterNode } from '../../cluster/cluster-node.js';
import type { ApiDeps, RouteTable } from './api-router.js';

export function healthRoutes({ health, registry, cluster }: ApiDeps): RouteTable {
  return {
    'GET /api/health': async (r) => {
      await r.requireUser('admin');
      let peers = 0;
      for (const room of registry.all()) peers += room.peers.size;
      const nodes = cluster ? await clusterNodes(cluster) : undefined;
      r.send(200, {
        now: await health.sampleNow(),
        history: health.history(),
        rooms: registry.size,
        peers,
        uptimeSeconds: Math.round(process.uptime()),
        ...(nodes ? { nodes } : {}),
      });
    },
  };
}

/** Every live node as its last heartbeat told Redis; an unreachable Redis answers 503 (the caller's error mapping). */
async function clusterNodes(cluster: ClusterNode): Promise<ClusterNodeHealth[]> {
  const now = Date.now();
  const num = (v: string | undefined) => (Number.isFinite(Number(v)) ? Number(v) : 0);
  return (await cluster.registry.liveNodes()).map((n) => ({
    id: n.id,
    self: n.id === cluster.nodeId,
    state: n.state,
    version: n.version,
    cpu: num(n.stats['cpu']),
    rooms: Math.round(num(n.stats['rooms'])),
    peers: Math.round(num(n.stats['peers'])),
    workers: Math.round(num(n.stats['workers'])),
    heartbeatAgeMs: Math.max(0, now - n.updatedAt),
  }));
}
