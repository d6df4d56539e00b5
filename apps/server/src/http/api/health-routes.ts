/** Worker health for the admin page: now and the last minutes. Admins only. */
import type { ApiDeps, RouteTable } from './api-router.js';

export function healthRoutes({ health, registry }: ApiDeps): RouteTable {
  return {
    'GET /api/health': async (r) => {
      await r.requireUser('admin');
      let peers = 0;
      for (const room of registry.all()) peers += room.peers.size;
      r.send(200, {
        now: await health.sampleNow(),
        history: health.history(),
        rooms: registry.size,
        peers,
        uptimeSeconds: Math.round(process.uptime()),
      });
    },
  };
}
