/**
 * The call controls for gestures: raise or lower your hand, and send a
 * reaction from a small menu (each choice a button; Escape or a choice
 * closes it).
 */
import { useEffect, useRef, useState } from 'react';
import { REACTIONS, type ReactionEmoji } from '../gestures/gesture-codec.js';
import './gestures.css';

export function RaiseHandButton({ raised, onToggle }: { raised: boolean; onToggle: () => void }) {
  return (
    <button
      type="button"
      data-testid="raise-hand"
      className={`control${raised ? ' control--active' : ''}`}
      aria-pressed={raised}
      aria-label={raised ? 'Lower your hand' : 'Raise your hand'}
      title={raised ? 'Lower your hand' : 'Raise your hand'}
      onClick={onToggle}
    >
      <span className="gesture-glyph" aria-hidden="true">
        ✋
      </span>
    </button>
  );
}

export function ReactionsButton({ onReact }: { onReact: (emoji: ReactionEmoji) => void }) {
  const [open, setOpen] = useState(false);
  const menuRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!open) return;
    menuRef.current?.querySelector<HTMLButtonElement>('button')?.focus();
    const outside = (e: PointerEvent) => {
      if (!menuRef.current?.contains(e.target as Node) && !buttonRef.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [open]);
  const close = () => {
    setOpen(false);
    buttonRef.current?.focus();
  };
  return (
    <div className="reactions">
      <button
        ref={buttonRef}
        type="button"
        data-testid="reactions"
        className={`control${open ? ' control--active' : ''}`}
        aria-expanded={open}
        aria-haspopup="true"
        aria-label="Send a reaction"
        title="Send a reaction"
        onClick={() => setOpen((o) => !o)}
      >
        <span className="gesture-glyph" aria-hidden="true">
          😊
        </span>
      </button>
      {open && (
        <div
          ref={menuRef}
          className="reactions__menu"
          role="group"
          aria-label="Reactions"
          data-testid="reactions-menu"
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.stopPropagation();
              close();
            }
          }}
        >
          {REACTIONS.map((r) => (
            <button
              key={r.emoji}
              type="button"
              className="reactions__option"
              data-testid="reaction-option"
              data-emoji={r.emoji}
              aria-label={r.label}
              title={r.label}
              onClick={() => {
                onReact(r.emoji);
                close();
              }}
            >
              <span aria-hidden="true">{r.emoji}</span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

/** A raised hand on a tile. */
export function HandBadge({ name }: { name: string }) {
  return (
    <span className="hand-badge" data-testid="hand-badge" role="img" aria-label={`${name} raised their hand`} title="Hand raised">
      ✋
    </span>
  );
}

/** Reactions floating over a tile (the newest last). */
export function TileReactions({ emojis }: { emojis: Array<{ id: number; emoji: string }> }) {
  if (emojis.length === 0) return null;
  return (
    <div className="tile-reactions" aria-hidden="true">
      {emojis.map((r) => (
        <span key={r.id} className="tile-reactions__one" data-testid="reaction" data-emoji={r.emoji}>
          {r.emoji}
        </span>
      ))}
    </div>
  );
}
