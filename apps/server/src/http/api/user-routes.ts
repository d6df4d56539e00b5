/** Account management: admins only. */
import { CreateUserBody, UpdateUserBody } from '@conclave/protocol';
import { AccountError } from '../../auth/accounts.js';
import { publicUser } from '../../store/user-store.js';
import { ApiError } from './api-error.js';
import type { ApiDeps, RouteTable } from './api-router.js';

function mapAccountError(err: unknown): never {
  if (err instanceof AccountError) {
    if (err.code === 'not_found') throw new ApiError(404, 'not_found', err.message);
    throw new ApiError(409, 'conflict', err.message);
  }
  throw err;
}

function userId(raw: string): number {
  const id = Number(raw);
  if (!Number.isInteger(id) || id <= 0) throw new ApiError(404, 'not_found', 'no such user');
  return id;
}

export function userRoutes({ accounts, store }: ApiDeps): RouteTable {
  return {
    'GET /api/users': async (r) => {
      await r.requireUser('admin');
      r.send(200, { users: await accounts.list() });
    },

    'POST /api/users': async (r) => {
      const admin = await r.requireUser('admin');
      const body = await r.body(CreateUserBody);
      const user = await accounts.create(body.username, body.password, body.role).catch(mapAccountError);
      await store.audit.record({
        actor: admin.username,
        action: 'user.create',
        target: user.username,
        detail: `role ${user.role}`,
        ip: r.ip,
      });
      r.send(201, { user: publicUser(user) });
    },

    'PATCH /api/users/:id': async (r) => {
      const admin = await r.requireUser('admin');
      const id = userId(r.param('id'));
      const patch = await r.body(UpdateUserBody);
      const user = await accounts.update(id, patch).catch(mapAccountError);
      if (patch.role)
        await store.audit.record({
          actor: admin.username,
          action: 'user.role',
          target: user.username,
          detail: `role ${patch.role}`,
          ip: r.ip,
        });
      if (patch.password)
        await store.audit.record({ actor: admin.username, action: 'user.password-reset', target: user.username, ip: r.ip });
      r.send(200, { user: publicUser(user) });
    },

    'DELETE /api/users/:id': async (r) => {
      const admin = await r.requireUser('admin');
      const id = userId(r.param('id'));
      if (id === admin.id) throw new ApiError(409, 'conflict', 'you cannot delete your own account');
      const user = await accounts.delete(id).catch(mapAccountError);
      await store.audit.record({ actor: admin.username, action: 'user.delete', target: user.username, ip: r.ip });
      r.send(204);
    },
  };
}
