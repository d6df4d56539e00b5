/** Short confirmations of what an action did ("Room created"), announced politely, optionally with one follow-up action. */
import { createContext, useCallback, useContext, useRef, useState, type ReactNode } from 'react';
import { CheckIcon, CloseIcon } from './icons.js';

type ToastKind = 'ok' | 'error';
export interface ToastAction {
  label: string;
  run: () => void;
  testId?: string;
}
interface Toast {
  id: number;
  text: string;
  kind: ToastKind;
  action?: ToastAction | undefined;
}

interface ToastApi {
  show: (text: string, kind?: ToastKind, action?: ToastAction) => void;
  clear: () => void;
}

const ToastContext = createContext<ToastApi>({ show: () => undefined, clear: () => undefined });

/** `toast(text)`, `toast(text, 'error')`, `toast(text, 'ok', {label, run})`. */
export function useToast(): ToastApi['show'] {
  return useContext(ToastContext).show;
}

export function useClearToasts(): ToastApi['clear'] {
  return useContext(ToastContext).clear;
}

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const dismiss = useCallback((id: number) => setToasts((list) => list.filter((t) => t.id !== id)), []);
  const show = useCallback(
    (text: string, kind: ToastKind = 'ok', action?: ToastAction) => {
      const id = next.current++;
      setToasts((list) => [...list.slice(-1), { id, text, kind, action }]);
      setTimeout(() => dismiss(id), kind === 'error' || action ? 8000 : 4000);
    },
    [dismiss],
  );
  const clear = useCallback(() => setToasts([]), []);
  const [api] = useState<ToastApi>(() => ({ show, clear }));
  return (
    <ToastContext.Provider value={api}>
      {children}
      <div className="admin-toasts" role="status" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`admin-toast admin-toast--${t.kind}`} data-testid="admin-toast">
            {t.kind === 'ok' && <CheckIcon width={16} height={16} />}
            <span>{t.text}</span>
            {t.action && (
              <button
                type="button"
                className="button button--small"
                data-testid={t.action.testId}
                onClick={() => {
                  t.action!.run();
                  dismiss(t.id);
                }}
              >
                {t.action.label}
              </button>
            )}
            <button type="button" className="icon-button icon-button--plain" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
              <CloseIcon width={14} height={14} />
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}
