/** Accounts (administrators only): add, change role, reset password, delete. */
import { useState } from 'react';
import type { Role, User } from '@conclave/protocol';
import { api, errorText } from './api.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { formatAgo, formatDateTime, initials } from './format.js';
import { KeyIcon, PlusIcon, TrashIcon } from './icons.js';
import { PanelHeader } from './PanelHeader.js';
import { ResetPasswordDialog } from './ResetPasswordDialog.js';
import { ROLE_LABEL } from './RoleSelect.js';
import { useSession } from './session.js';
import { useToast } from './Toasts.js';
import { usePolling } from './usePolling.js';
import { UserFormDialog } from './UserFormDialog.js';

type Dialog = { kind: 'create' } | { kind: 'reset'; user: User } | { kind: 'delete'; user: User };

export function UsersPanel() {
  const { user: me, onError } = useSession();
  const toast = useToast();
  const users = usePolling(api.users, 15_000, onError);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const list = users.data ?? [];
  const admins = list.filter((u) => u.role === 'admin').length;
  const now = users.fetchedAt;

  const changeRole = async (user: User, role: Role) => {
    setBusy(user.id);
    try {
      await api.updateUser(user.id, { role });
      toast(`${user.username} is now ${role === 'admin' ? 'an administrator' : 'a host'}.`);
      await users.refresh();
    } catch (err) {
      onError(err);
      toast(errorText(err), 'error');
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="panel" aria-labelledby="users-title">
      <PanelHeader
        titleId="users-title"
        title="Users"
        subtitle={
          users.data
            ? `${list.length} ${list.length === 1 ? 'account' : 'accounts'} · ${admins} ${admins === 1 ? 'administrator' : 'administrators'}`
            : 'Loading…'
        }
      >
        <button
          type="button"
          className="button button--primary"
          data-testid="admin-create-user"
          onClick={() => setDialog({ kind: 'create' })}
        >
          <PlusIcon /> Add user
        </button>
      </PanelHeader>

      {users.loading ? (
        <div className="skeleton-table" aria-busy="true" aria-label="Loading users">
          <span />
          <span />
        </div>
      ) : users.data == null ? (
        <div className="empty-state" role="alert">
          <h3>Could not load the users</h3>
          <p className="muted">{errorText(users.error)}</p>
          <button type="button" className="button" onClick={() => void users.refresh()}>
            Try again
          </button>
        </div>
      ) : (
        <div className="table-card">
          <table className="data-table users-table">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col" className="users-table__created">
                  Added
                </th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((u) => {
                const self = u.id === me.id;
                return (
                  <tr key={u.id} data-testid="admin-user-row" data-user-id={u.id} data-username={u.username} data-role={u.role}>
                    <td>
                      <span className="user-cell">
                        <span className={`avatar avatar--${u.role}`} aria-hidden="true">
                          {initials(u.username)}
                        </span>
                        <span className="user-cell__name">{u.username}</span>
                        {self && <span className="tag">You</span>}
                      </span>
                    </td>
                    <td>
                      <select
                        className="select select--inline"
                        data-testid="admin-user-role"
                        aria-label={`Role of ${u.username}`}
                        value={u.role}
                        disabled={self || busy === u.id}
                        title={self ? 'You cannot change your own role' : undefined}
                        onChange={(e) => void changeRole(u, e.target.value as Role)}
                      >
                        <option value="host">{ROLE_LABEL.host}</option>
                        <option value="admin">{ROLE_LABEL.admin}</option>
                      </select>
                    </td>
                    <td className="users-table__created muted" title={formatDateTime(u.createdAt)}>
                      {formatAgo(u.createdAt, now)}
                    </td>
                    <td className="row-actions">
                      <div className="action-group" role="group" aria-label={`Actions for ${u.username}`}>
                        <button
                          type="button"
                          className="icon-button"
                          data-testid="admin-user-reset-password"
                          aria-label={`Reset the password of ${u.username}`}
                          title="Reset password"
                          onClick={() => setDialog({ kind: 'reset', user: u })}
                        >
                          <KeyIcon />
                        </button>
                        <button
                          type="button"
                          className="icon-button icon-button--danger"
                          data-testid="admin-user-delete"
                          aria-label={`Delete ${u.username}`}
                          title={self ? 'You cannot delete your own account' : 'Delete user'}
                          disabled={self}
                          onClick={() => setDialog({ kind: 'delete', user: u })}
                        >
                          <TrashIcon />
                        </button>
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      {dialog?.kind === 'create' && (
        <UserFormDialog
          onClose={() => setDialog(null)}
          onCreated={(u) => {
            setDialog(null);
            toast(`${u.username} can now sign in as ${u.role === 'admin' ? 'an administrator' : 'a host'}.`);
            void users.refresh();
          }}
        />
      )}
      {dialog?.kind === 'reset' && (
        <ResetPasswordDialog
          user={dialog.user}
          onClose={() => setDialog(null)}
          onDone={() => {
            toast(`New password set for ${dialog.user.username}.`);
            setDialog(null);
          }}
        />
      )}
      {dialog?.kind === 'delete' && (
        <ConfirmDialog
          title={`Delete ${dialog.user.username}?`}
          body={<p>They can no longer sign in. Rooms they created stay, and administrators can still manage them.</p>}
          confirmLabel="Delete user"
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            const u = dialog.user;
            try {
              await api.deleteUser(u.id);
            } catch (err) {
              onError(err);
              throw err;
            }
            toast(`${u.username} was deleted.`);
            await users.refresh();
          }}
        />
      )}
    </section>
  );
}
