/**
 * One room in the rooms table: a <tbody> holding the summary row and, when
 * expanded, the live participant list, so everything about one room (and its
 * test id) is in one element.
 */
import type { LiveParticipant, RoomSummary } from '@conclave/protocol';
import { LinkIcon, LockIcon } from '../components/icons.js';
import { formatAgo, formatDateTime } from './format.js';
import { ChevronIcon, EditIcon, KeyIcon, DoorIcon, StopIcon, TrashIcon, UnlockIcon } from './icons.js';
import { ParticipantList } from './ParticipantList.js';

export interface RoomRowProps {
  room: RoomSummary;
  expanded: boolean;
  now: number;
  busy: boolean;
  /** The "created by" column (administrators see everyone's rooms; hosts only their own). */
  showOwner: boolean;
  onToggleExpanded: () => void;
  onCopyLink: () => void;
  onToggleLock: () => void;
  onEdit: () => void;
  onEnd: () => void;
  onDelete: () => void;
  onKick: (p: LiveParticipant) => Promise<void>;
}

export function RoomRow(props: RoomRowProps) {
  const { room, expanded, now, busy } = props;
  const count = room.live.participants.length;
  const live = count > 0;
  const detailId = `room-detail-${room.id}`;
  return (
    <tbody
      className={`room${expanded ? ' room--expanded' : ''}${live ? ' room--live' : ''}`}
      data-testid="admin-room-row"
      data-room-id={room.id}
      data-live-count={count}
      data-locked={room.locked}
    >
      <tr className="room__row">
        <td className="room__main">
          <button
            type="button"
            className="icon-button room__expand"
            aria-expanded={expanded}
            aria-controls={expanded ? detailId : undefined}
            aria-label={`${expanded ? 'Hide' : 'Show'} people in ${room.name}`}
            data-testid="admin-room-expand"
            onClick={props.onToggleExpanded}
          >
            <ChevronIcon />
          </button>
          <div className="room__title">
            <span className="room__name" data-testid="admin-room-name">
              {room.name}
            </span>
            <span className="room__meta">
              <code className="room__id">{room.id}</code>
              {room.hasPassword && (
                <span className="tag" title="A password is asked before joining">
                  <KeyIcon width={12} height={12} /> Password
                </span>
              )}
              {room.lobby && (
                <span className="tag" title="Guests wait in a lobby until a host admits them">
                  <DoorIcon width={12} height={12} /> Lobby
                </span>
              )}
              {room.locked && (
                <span className="tag tag--warn" data-testid="admin-room-locked" title="Nobody new can join">
                  <LockIcon width={12} height={12} /> Locked
                </span>
              )}
            </span>
          </div>
        </td>
        <td className="room__status">
          {live ? (
            <span className="live-pill" data-testid="admin-room-count">
              <span className="live-pill__dot" aria-hidden="true" /> Live · <span className="tabular">{count}</span>
              <span className="muted"> / {room.maxParticipants}</span>
            </span>
          ) : (
            <span className="idle-pill" data-testid="admin-room-count">
              Idle<span className="muted"> · max {room.maxParticipants}</span>
            </span>
          )}
          {room.live.waiting > 0 && <span className="tag tag--info">{room.live.waiting} waiting</span>}
        </td>
        <td className="room__owner">
          {props.showOwner && <span>{room.createdBy ?? '—'}</span>}
          <span className={props.showOwner ? 'muted' : undefined} title={formatDateTime(room.createdAt)}>
            {formatAgo(room.createdAt, now)}
          </span>
        </td>
        <td className="room__actions">
          <div className="action-group" role="group" aria-label={`Actions for ${room.name}`}>
            <button
              type="button"
              className="icon-button"
              data-testid="admin-room-copy-link"
              aria-label={`Copy the link to ${room.name}, without a meeting key`}
              title="Copy link (without the meeting key, which is shown only when a room is created)"
              onClick={props.onCopyLink}
            >
              <LinkIcon width={18} height={18} />
            </button>
            <button
              type="button"
              className={`icon-button${room.locked ? ' icon-button--active' : ''}`}
              data-testid="admin-room-lock"
              aria-pressed={room.locked}
              aria-label={room.locked ? `Unlock ${room.name}` : `Lock ${room.name}`}
              title={room.locked ? 'Unlock: let people join again' : 'Lock: nobody new can join'}
              disabled={busy}
              onClick={props.onToggleLock}
            >
              {room.locked ? <LockIcon width={18} height={18} /> : <UnlockIcon />}
            </button>
            <button
              type="button"
              className="icon-button"
              data-testid="admin-room-edit"
              aria-label={`Edit ${room.name}`}
              title="Edit"
              onClick={props.onEdit}
            >
              <EditIcon />
            </button>
            <button
              type="button"
              className="icon-button icon-button--danger"
              data-testid="admin-room-end"
              aria-label={`End the meeting in ${room.name}`}
              title={live ? 'End meeting: everyone leaves' : 'Nobody is in this meeting'}
              disabled={busy || !live}
              onClick={props.onEnd}
            >
              <StopIcon />
            </button>
            <button
              type="button"
              className="icon-button icon-button--danger"
              data-testid="admin-room-delete"
              aria-label={`Delete ${room.name}`}
              title="Delete room"
              onClick={props.onDelete}
            >
              <TrashIcon />
            </button>
          </div>
        </td>
      </tr>
      {expanded && (
        <tr className="room__detail" id={detailId}>
          <td colSpan={4}>
            <ParticipantList participants={room.live.participants} waiting={room.live.waiting} now={now} onKick={props.onKick} />
          </td>
        </tr>
      )}
    </tbody>
  );
}
