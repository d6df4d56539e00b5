/**
 * The room page's one hook: a Meeting for this room, started when the page
 * opens and left when it closes, and its snapshot, re-rendered on change.
 */
import { useEffect, useState } from 'react';
import { installDiagnostics } from '../diagnostics.js';
import { createBrowserMeeting, type BrowserMeeting } from '../meeting/browser-meeting.js';
import type { MeetingSnapshot } from '../meeting/meeting-state.js';
import { useStore } from '../state/use-store.js';

export function useMeeting(roomId: string): BrowserMeeting & { snapshot: MeetingSnapshot } {
  const [browserMeeting] = useState(() => createBrowserMeeting(roomId));
  const { meeting } = browserMeeting;
  useEffect(() => {
    meeting.start();
    installDiagnostics(meeting);
    // Leaving the page (navigation, not a re-render) leaves the call and forgets the keys.
    return () => meeting.dispose();
  }, [meeting]);
  return { ...browserMeeting, snapshot: useStore(meeting.store) };
}
