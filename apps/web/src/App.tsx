/** Top-level routing: `/` is the home page, `/r/<roomId>` a meeting, `/admin` and `/setup` the (lazily loaded) admin pages. */
import { lazy, Suspense } from 'react';
import { ROOM_ID_PATTERN } from '@conclave/protocol';
import { HomePage } from './pages/HomePage.js';
import { RoomPage } from './pages/RoomPage.js';
import { navigate, usePathname } from './navigation.js';

const AdminApp = lazy(() => import('./admin/AdminApp.js'));

export function App() {
  const path = usePathname();
  const room = /^\/r\/([^/]+)\/?$/.exec(path)?.[1];
  if (room !== undefined) {
    const roomId = decodeURIComponent(room);
    if (ROOM_ID_PATTERN.test(roomId)) return <RoomPage key={roomId} roomId={roomId} />;
    return <NotFound text="That meeting link is not valid." />;
  }
  if (path === '/' || path === '') return <HomePage />;
  if (/^\/(admin|setup)\/?$/.test(path))
    return (
      <Suspense fallback={null}>
        <AdminApp path={path} />
      </Suspense>
    );
  return <NotFound text="There is nothing at this address." />;
}

function NotFound({ text }: { text: string }) {
  return (
    <div className="ended">
      <div className="ended__card">
        <h1>Not found</h1>
        <p className="muted">{text}</p>
        <button type="button" className="button button--primary" onClick={() => navigate('/')}>
          Go to the home page
        </button>
      </div>
    </div>
  );
}
