/**
 * Rooms: every room (a host sees their own), live participants and their
 * encryption state, refreshed every 2 s; create, edit, lock, end, delete, kick.
 */
import { useMemo, useState } from 'react';
import type { LiveParticipant, RoomSummary } from '@conclave/protocol';
import { api, errorText } from './api.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { PlusIcon, VideoIcon } from './icons.js';
import { PanelHeader } from './PanelHeader.js';
import { RoomFormDialog } from './RoomFormDialog.js';
import { roomLink } from './room-link.js';
import { RoomRow } from './RoomRow.js';
import { useSession } from './session.js';
import { useToast } from './Toasts.js';
import { usePolling } from './usePolling.js';

type Dialog = { kind: 'create' } | { kind: 'edit'; room: RoomSummary } | { kind: 'delete'; room: RoomSummary };

export function RoomsPanel() {
  const { user, onError } = useSession();
  const toast = useToast();
  const rooms = usePolling(api.rooms, 2000, onError);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  /** Rooms whose participant list the person opened or closed by hand (otherwise: open while live). */
  const [toggled, setToggled] = useState<Record<string, boolean>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const [filter, setFilter] = useState('');

  const list = useMemo(() => rooms.data ?? [], [rooms.data]);
  const shown = useMemo(() => {
    const q = filter.trim().toLowerCase();
    const matching = q ? list.filter((r) => r.name.toLowerCase().includes(q) || r.id.toLowerCase().includes(q)) : list;
    // Newest first, and a stable order: rows do not jump when people join or leave.
    return [...matching].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
  }, [list, filter]);
  const people = list.reduce((n, r) => n + r.live.participants.length, 0);
  const liveRooms = list.filter((r) => r.live.participants.length > 0).length;
  const now = rooms.fetchedAt;

  const act = async (room: RoomSummary, what: () => Promise<unknown>, done: string) => {
    setBusy(room.id);
    try {
      await what();
      toast(done);
      await rooms.refresh();
    } catch (err) {
      onError(err);
      toast(errorText(err), 'error');
    } finally {
      setBusy(null);
    }
  };

  const copyLink = async (id: string, name: string) => {
    try {
      await navigator.clipboard.writeText(roomLink(id));
      toast(`Link to “${name}” copied, without a meeting key: people who open it are asked for the meeting passphrase.`);
    } catch {
      window.prompt('Copy the room link', roomLink(id));
    }
  };

  const kick = async (room: RoomSummary, p: LiveParticipant) => {
    try {
      await api.kick(room.id, p.peerId);
    } catch (err) {
      onError(err);
      throw err;
    }
    toast(`${p.displayName} was removed from “${room.name}”.`);
    await rooms.refresh();
  };

  return (
    <section className="panel" aria-labelledby="rooms-title">
      <PanelHeader
        titleId="rooms-title"
        title="Rooms"
        subtitle={
          rooms.data
            ? `${list.length} ${list.length === 1 ? 'room' : 'rooms'} · ${liveRooms} live · ${people} ${people === 1 ? 'person' : 'people'} in meetings`
            : 'Loading…'
        }
        live
      >
        {list.length > 4 && (
          <input
            className="search"
            type="search"
            aria-label="Filter rooms"
            placeholder="Filter rooms"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
          />
        )}
        <button
          type="button"
          className="button button--primary"
          data-testid="admin-create-room"
          onClick={() => setDialog({ kind: 'create' })}
        >
          <PlusIcon /> New room
        </button>
      </PanelHeader>

      {user.role === 'host' && (
        <p className="panel__note">You see the rooms you created. An administrator can see and manage every room.</p>
      )}
      {rooms.error != null && rooms.data != null && (
        <p className="notice notice--warn" role="alert">
          Live updates paused: {errorText(rooms.error)}
        </p>
      )}

      {rooms.loading ? (
        <div className="skeleton-table" aria-busy="true" aria-label="Loading rooms">
          <span />
          <span />
          <span />
        </div>
      ) : rooms.data == null ? (
        <div className="empty-state" role="alert">
          <h3>Could not load the rooms</h3>
          <p className="muted">{errorText(rooms.error)}</p>
          <button type="button" className="button" onClick={() => void rooms.refresh()}>
            Try again
          </button>
        </div>
      ) : list.length === 0 ? (
        <div className="empty-state">
          <span className="empty-state__icon" aria-hidden="true">
            <VideoIcon width={28} height={28} />
          </span>
          <h3>No rooms yet</h3>
          <p className="muted">A room is a meeting address that stays the same, with an optional password and lobby.</p>
          <button type="button" className="button button--primary" onClick={() => setDialog({ kind: 'create' })}>
            <PlusIcon /> Create the first room
          </button>
        </div>
      ) : (
        <div className="table-card">
          <table className="data-table rooms-table">
            <thead>
              <tr>
                <th scope="col">Room</th>
                <th scope="col">Status</th>
                <th scope="col" className="rooms-table__owner">
                  {user.role === 'admin' ? 'Created by' : 'Created'}
                </th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            {shown.map((room) => (
              <RoomRow
                key={room.id}
                room={room}
                now={now}
                busy={busy === room.id}
                showOwner={user.role === 'admin'}
                expanded={toggled[room.id] ?? room.live.participants.length > 0}
                onToggleExpanded={() => setToggled((t) => ({ ...t, [room.id]: !(t[room.id] ?? room.live.participants.length > 0) }))}
                onCopyLink={() => void copyLink(room.id, room.name)}
                onToggleLock={() =>
                  void act(
                    room,
                    () => api.updateRoom(room.id, { locked: !room.locked }),
                    room.locked ? `“${room.name}” is unlocked.` : `“${room.name}” is locked: nobody new can join.`,
                  )
                }
                onEdit={() => setDialog({ kind: 'edit', room })}
                onEnd={() => void act(room, () => api.endRoom(room.id), `The meeting in “${room.name}” has ended.`)}
                onDelete={() => setDialog({ kind: 'delete', room })}
                onKick={(p) => kick(room, p)}
              />
            ))}
          </table>
          {shown.length === 0 && <p className="table-card__empty">No room matches “{filter}”.</p>}
        </div>
      )}

      <p className="panel__footnote" data-testid="admin-rooms-key-note">
        When you create a room, this browser makes its meeting key and shows the link with the key (<code>/r/&lt;id&gt;#k=…</code>){' '}
        <strong>only once</strong>: the key never reaches this server, so it cannot be shown again. The copy button in the list (and every
        room made before) gives the link without a key, <code>/r/&lt;id&gt;</code>: people who open it are asked for a{' '}
        <strong>meeting passphrase</strong>, and must all type the same one to see and hear each other.
      </p>

      {dialog?.kind === 'create' && (
        <RoomFormDialog
          onClose={() => setDialog(null)}
          onSaved={() => {
            // The dialog stays open: it shows the new room's link, once.
            void rooms.refresh();
          }}
        />
      )}
      {dialog?.kind === 'edit' && (
        <RoomFormDialog
          room={dialog.room}
          onClose={() => setDialog(null)}
          onSaved={() => {
            setDialog(null);
            toast('Changes saved.');
            void rooms.refresh();
          }}
        />
      )}
      {dialog?.kind === 'delete' && (
        <ConfirmDialog
          title={`Delete “${dialog.room.name}”?`}
          body={
            <>
              <p>
                Its link stops working{dialog.room.live.participants.length > 0 ? ', and the people in it now are removed' : ''}. This
                cannot be undone.
              </p>
            </>
          }
          confirmLabel="Delete room"
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            const room = dialog.room;
            try {
              await api.deleteRoom(room.id);
            } catch (err) {
              onError(err);
              throw err;
            }
            toast(`“${room.name}” was deleted.`);
            await rooms.refresh();
          }}
        />
      )}
    </section>
  );
}
