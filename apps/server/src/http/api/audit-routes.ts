/** The audit log, newest first, paged: admins only. */
import { ApiError } from './api-error.js';
import type { ApiDeps, RouteTable } from './api-router.js';

export function auditRoutes({ store }: ApiDeps): RouteTable {
  return {
    'GET /api/audit': async (r) => {
      await r.requireUser('admin');
      const limit = Number(r.query.get('limit') ?? 100);
      const beforeRaw = r.query.get('before');
      const before = beforeRaw === null ? undefined : Number(beforeRaw);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500)
        throw new ApiError(400, 'bad_request', 'limit: a whole number from 1 to 500');
      if (before !== undefined && (!Number.isInteger(before) || before < 1)) throw new ApiError(400, 'bad_request', 'before: an entry id');
      r.send(200, { entries: await store.audit.list(limit, before) });
    },
  };
}
