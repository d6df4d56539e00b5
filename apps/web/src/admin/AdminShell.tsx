/**
 * The signed-in admin page: a header with who is signed in and a way out,
 * and tabs. Hosts see only Rooms; the server answers 403 to them for the rest.
 * The open tab is kept in the address (#users), so a reload stays put.
 */
import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { Role } from '@conclave/protocol';
import { UsersIcon } from '../components/icons.js';
import { AuditPanel } from './AuditPanel.js';
import { HealthPanel } from './HealthPanel.js';
import { initials } from './format.js';
import { ActivityIcon, ListIcon, LogoutIcon, VideoIcon } from './icons.js';
import { ROLE_LABEL } from './RoleSelect.js';
import { RoomsPanel } from './RoomsPanel.js';
import { UsersPanel } from './UsersPanel.js';
import { useSession } from './session.js';
import { useClearToasts } from './Toasts.js';

type TabId = 'rooms' | 'users' | 'audit' | 'health';

const TABS: { id: TabId; label: string; icon: ReactNode; roles: Role[] }[] = [
  { id: 'rooms', label: 'Rooms', icon: <VideoIcon />, roles: ['admin', 'host'] },
  { id: 'users', label: 'Users', icon: <UsersIcon width={18} height={18} />, roles: ['admin'] },
  { id: 'audit', label: 'Audit log', icon: <ListIcon />, roles: ['admin'] },
  { id: 'health', label: 'Health', icon: <ActivityIcon />, roles: ['admin'] },
];

function tabFromHash(allowed: TabId[]): TabId {
  const id = window.location.hash.slice(1) as TabId;
  return allowed.includes(id) ? id : 'rooms';
}

export function AdminShell({ onLogout }: { onLogout: () => Promise<void> }) {
  const { user } = useSession();
  const tabs = TABS.filter((t) => t.roles.includes(user.role));
  const allowed = tabs.map((t) => t.id);
  const [tab, setTab] = useState<TabId>(() => tabFromHash(allowed));
  const [leaving, setLeaving] = useState(false);
  const clearToasts = useClearToasts();
  const tabRefs = useRef<Partial<Record<TabId, HTMLButtonElement | null>>>({});

  useEffect(() => {
    const onHash = () => setTab(tabFromHash(allowed));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [allowed.join()]); // eslint-disable-line react-hooks/exhaustive-deps

  const select = (id: TabId, focus = false) => {
    if (id !== tab) clearToasts(); // a confirmation belongs to the section it was shown in
    setTab(id);
    window.history.replaceState(window.history.state, '', id === 'rooms' ? window.location.pathname : `#${id}`);
    if (focus) tabRefs.current[id]?.focus();
  };

  // Arrow keys, Home and End move between tabs (WAI-ARIA tabs pattern, automatic activation).
  const onTabKey = (e: KeyboardEvent) => {
    const i = allowed.indexOf(tab);
    const to =
      e.key === 'ArrowRight'
        ? allowed[(i + 1) % allowed.length]
        : e.key === 'ArrowLeft'
          ? allowed[(i - 1 + allowed.length) % allowed.length]
          : e.key === 'Home'
            ? allowed[0]
            : e.key === 'End'
              ? allowed[allowed.length - 1]
              : undefined;
    if (to) {
      e.preventDefault();
      select(to, true);
    }
  };

  return (
    <div className="admin">
      <header className="admin-header">
        <div className="admin-header__inner">
          <a href="/" className="brand-link" aria-label="Conclave home">
            <span className="brand-dot" aria-hidden="true" /> <span>Conclave</span>
          </a>
          <h1 className="admin-header__section">{user.role === 'admin' ? 'Administration' : 'My rooms'}</h1>
          <div className="admin-header__user">
            <span className={`avatar avatar--${user.role}`} aria-hidden="true">
              {initials(user.username)}
            </span>
            <span className="admin-header__who">
              <span className="admin-header__name" data-testid="admin-user">
                {user.username}
              </span>
              <span className="admin-header__role" data-testid="admin-role">
                {ROLE_LABEL[user.role]}
              </span>
            </span>
            <button
              type="button"
              className="button button--small"
              data-testid="logout-button"
              disabled={leaving}
              onClick={() => {
                setLeaving(true);
                void onLogout().finally(() => setLeaving(false));
              }}
            >
              <LogoutIcon width={16} height={16} /> <span className="collapse-narrow">Sign out</span>
            </button>
          </div>
        </div>
        <nav className="admin-tabs" aria-label="Administration">
          <div className="admin-tabs__inner" role="tablist" aria-label="Sections" onKeyDown={onTabKey}>
            {tabs.map((t) => (
              <button
                key={t.id}
                type="button"
                role="tab"
                id={`admin-tab-${t.id}`}
                aria-controls={tab === t.id ? `admin-panel-${t.id}` : undefined}
                aria-selected={tab === t.id}
                tabIndex={tab === t.id ? 0 : -1}
                data-testid={`admin-tab-${t.id}`}
                className="admin-tab"
                ref={(el) => {
                  tabRefs.current[t.id] = el;
                }}
                onClick={() => select(t.id)}
              >
                {t.icon}
                {t.label}
              </button>
            ))}
          </div>
        </nav>
      </header>
      {/* The page's main landmark holds the tab panel (a <main> with role=tabpanel would be no landmark). */}
      <main className="admin-main">
        <div id={`admin-panel-${tab}`} role="tabpanel" aria-labelledby={`admin-tab-${tab}`}>
          {tab === 'rooms' && <RoomsPanel />}
          {tab === 'users' && <UsersPanel />}
          {tab === 'audit' && <AuditPanel />}
          {tab === 'health' && <HealthPanel />}
        </div>
      </main>
    </div>
  );
}
