/** A panel's title line: heading, one line of context, and the panel's main actions on the right. */
import type { ReactNode } from 'react';

export interface PanelHeaderProps {
  title: string;
  titleId: string;
  subtitle?: ReactNode;
  /** Shows the "updating live" indicator. */
  live?: boolean;
  children?: ReactNode;
}

export function PanelHeader({ title, titleId, subtitle, live, children }: PanelHeaderProps) {
  return (
    <header className="panel__header">
      <div>
        <h2 id={titleId} className="panel__title">
          {title}
          {live && (
            <span className="live-indicator" title="Updates every 2 seconds">
              <span aria-hidden="true" />
              Live
            </span>
          )}
        </h2>
        {subtitle && <p className="panel__subtitle">{subtitle}</p>}
      </div>
      {children && <div className="panel__actions">{children}</div>}
    </header>
  );
}
