/**
 * Which tile the speaker view shows large: a pinned tile, else a remote
 * screen share, else the active speaker, else the first other person.
 */
export interface StageTile {
  key: string;
  peerId: string | null; // null: this participant
  source: 'camera' | 'screen';
}

export function focusTileKey(
  tiles: StageTile[],
  pinned: string | null,
  activeSpeakerId: string | null,
  selfId: string | null,
): string | null {
  if (pinned && tiles.some((t) => t.key === pinned)) return pinned;
  const remoteScreen = tiles.find((t) => t.source === 'screen' && t.peerId !== null);
  if (remoteScreen) return remoteScreen.key;
  const speaking =
    activeSpeakerId && activeSpeakerId !== selfId ? tiles.find((t) => t.source === 'camera' && t.peerId === activeSpeakerId) : undefined;
  if (speaking) return speaking.key;
  return (tiles.find((t) => t.peerId !== null) ?? tiles[0])?.key ?? null;
}
