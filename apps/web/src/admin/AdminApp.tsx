/** The lazily loaded admin bundle: /admin and /setup, with their own stylesheet. */
import { AdminPage } from './AdminPage.js';
import { SetupPage } from './SetupPage.js';
import './admin.css';

export default function AdminApp({ path }: { path: string }) {
  return path.startsWith('/setup') ? <SetupPage /> : <AdminPage />;
}
