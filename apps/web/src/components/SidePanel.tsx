/**
 * The call's side panel shell (the chat, the participants): beside the
 * stage on wide screens, a full-screen sheet on phones; a heading, a close
 * button, and Escape to close.
 */
import { useId, type ReactNode, type Ref } from 'react';
import { CloseIcon } from './chat-icons.js';

export interface SidePanelProps {
  title: string;
  /** Shown under the title (the chat's "end-to-end encrypted"). */
  subtitle?: ReactNode;
  testId: string;
  closeTestId: string;
  /** For the close button's label: "Close chat". */
  what: string;
  onClose: () => void;
  className?: string;
  closeRef?: Ref<HTMLButtonElement>;
  children: ReactNode;
}

export function SidePanel({ title, subtitle, testId, closeTestId, what, onClose, className, closeRef, children }: SidePanelProps) {
  const titleId = useId();
  return (
    <aside
      className={`chat${className ? ` ${className}` : ''}`}
      data-testid={testId}
      aria-labelledby={titleId}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <header className="chat__header">
        <div className="chat__heading">
          <h2 id={titleId}>{title}</h2>
          {subtitle}
        </div>
        <button
          ref={closeRef}
          type="button"
          className="chat__close"
          data-testid={closeTestId}
          aria-label={`Close ${what}`}
          title={`Close ${what}`}
          onClick={onClose}
        >
          <CloseIcon />
        </button>
      </header>
      {children}
    </aside>
  );
}
