/** The centred card that sign-in and first-time setup share. */
import type { ReactNode } from 'react';

export function AuthLayout({ title, lead, children }: { title: string; lead?: ReactNode; children: ReactNode }) {
  return (
    <div className="auth">
      <header className="auth__brand">
        <a href="/" className="brand-link">
          <span className="brand-dot" aria-hidden="true" /> Conclave
        </a>
      </header>
      <main className="auth__main">
        <div className="auth__card">
          <h1>{title}</h1>
          {lead && <div className="auth__lead">{lead}</div>}
          {children}
        </div>
      </main>
    </div>
  );
}
