/**
 * Call shortcuts: Ctrl+D (⌘D on a Mac) toggles the microphone, Ctrl+E (⌘E)
 * the camera, Ctrl+Shift+L (⌘⇧L) leaves. They do nothing while typing in a
 * field, so the chat and other inputs keep their own keys.
 */
import { useEffect } from 'react';
import { useLatest } from './useLatest.js';

export interface CallShortcuts {
  onToggleMic?: (() => void) | undefined;
  onToggleCamera?: (() => void) | undefined;
  onLeave?: (() => void) | undefined;
}

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

/** For aria-keyshortcuts (both, since the page cannot know which modifier the person uses). */
export const SHORTCUT_KEYS = {
  mic: 'Control+D Meta+D',
  camera: 'Control+E Meta+E',
  leave: 'Control+Shift+L Meta+Shift+L',
} as const;

/** For titles, in this platform's words. */
export const SHORTCUT_LABEL = {
  mic: isMac ? '⌘D' : 'Ctrl+D',
  camera: isMac ? '⌘E' : 'Ctrl+E',
  leave: isMac ? '⌘⇧L' : 'Ctrl+Shift+L',
} as const;

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || typeof el.closest !== 'function') return false;
  if (el.isContentEditable) return true;
  const field = el.closest('input, textarea, select, [contenteditable="true"]');
  if (!field) return false;
  // Buttons-as-inputs (checkbox, radio, button) are not typing.
  if (field instanceof HTMLInputElement) return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color'].includes(field.type);
  return true;
}

export function useKeyboardShortcuts(shortcuts: CallShortcuts, enabled = true): void {
  const ref = useLatest(shortcuts);
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.repeat || e.altKey || !(e.ctrlKey || e.metaKey) || isTyping(e.target)) return;
      const key = e.key.toLowerCase();
      let action: (() => void) | undefined;
      if (!e.shiftKey && key === 'd') action = ref.current.onToggleMic;
      else if (!e.shiftKey && key === 'e') action = ref.current.onToggleCamera;
      else if (e.shiftKey && key === 'l') action = ref.current.onLeave;
      if (!action) return;
      e.preventDefault();
      action();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled, ref]);
}
