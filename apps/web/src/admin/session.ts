/** Who is signed in to the admin page, and what to do when the session ends mid-way. */
import { createContext, useContext } from 'react';
import type { User } from '@conclave/protocol';

export interface AdminSession {
  user: User;
  /** Routes an error from any panel: an expired session goes back to the sign-in form. */
  onError: (err: unknown) => void;
}

export const SessionContext = createContext<AdminSession | null>(null);

export function useSession(): AdminSession {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside the admin shell');
  return session;
}
