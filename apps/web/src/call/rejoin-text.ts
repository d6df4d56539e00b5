/**
 * Why the call is reconnecting, in words, when the server closed the room
 * and asked everyone to rejoin (roomClosed with rejoin: true). Shown on the
 * reconnecting banner, before "Conclave keeps trying by itself".
 */
import type { NotificationData } from '@conclave/protocol';

export function rejoinText(reason: NotificationData<'roomClosed'>['reason']): string {
  switch (reason) {
    case 'server-restart':
      return 'The meeting server is restarting.';
    case 'media-restarted':
      return 'The media server restarted.';
    default:
      return 'The meeting server asked everyone to reconnect.';
  }
}
