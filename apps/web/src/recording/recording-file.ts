/** The recording's file name: conclave-<room>-<local date and time>.<ext>, safe on every file system. */

const pad = (n: number) => String(n).padStart(2, '0');

/** The room's name reduced to lower-case letters, digits and dashes (at most 40), or "meeting". */
export function roomSlug(room: string): string {
  const slug = room
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 40)
    .replace(/^-+|-+$/g, '');
  return slug || 'meeting';
}

export function recordingFileName(room: string, at: Date, extension: 'webm' | 'mp4'): string {
  const date = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
  const time = `${pad(at.getHours())}${pad(at.getMinutes())}${pad(at.getSeconds())}`;
  return `conclave-${roomSlug(room)}-${date}-${time}.${extension}`;
}

/** "3.4 MB", "812 KB": a file size for people. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return `${(bytes / (1024 * 1024 * 1024)).toFixed(2)} GB`;
}

/** "0:07", "12:34", "1:02:03": how long a recording runs. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}
