/**
 * The meeting's chat: a side panel on wide screens, a full-screen sheet on
 * phones, and the button in the call controls that opens it (with an unread
 * count). Messages are plain text: React escapes them, line breaks are kept,
 * and nothing (links included) is ever rendered as HTML.
 */
import { useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { MAX_CHAT_TEXT_LENGTH } from '@conclave/protocol';
import { fullTime, normalizeChatText, shortTime, type ChatLog, type ChatMessage } from '../chat/chat-log.js';
import { ChatIcon, LockSmallIcon, SendIcon } from './chat-icons.js';
import { SidePanel } from './SidePanel.js';

export function ChatToggle({ open, unread, onToggle }: { open: boolean; unread: number; onToggle: () => void }) {
  const label = unread > 0 && !open ? `Chat, ${unread} unread ${unread === 1 ? 'message' : 'messages'}` : 'Chat';
  return (
    <>
      <button
        type="button"
        data-testid="toggle-chat"
        className={`control chat-toggle${open ? ' chat-toggle--open' : ''}`}
        aria-expanded={open}
        aria-label={label}
        title={open ? 'Close chat' : 'Chat'}
        onClick={onToggle}
      >
        <ChatIcon />
        {unread > 0 && !open && (
          <span className="chat-toggle__badge" data-testid="chat-unread" aria-hidden="true">
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </button>
      <span className="chat-sr-only" role="status">
        {!open && unread > 0 ? `${unread} unread chat ${unread === 1 ? 'message' : 'messages'}` : ''}
      </span>
    </>
  );
}

function MessageItem({ m, onRetry }: { m: ChatMessage; onRetry: (id: string) => void }) {
  const sender = m.mine ? 'You' : m.name;
  return (
    <div
      className={`chat-msg chat-msg--${m.mine ? 'mine' : 'theirs'} chat-msg--${m.status}`}
      data-testid="chat-message"
      data-status={m.status}
      data-mine={m.mine ? 'true' : 'false'}
    >
      <div className="chat-msg__meta">
        <span className="chat-msg__sender" data-testid="chat-sender">
          {sender}
        </span>
        <time className="chat-msg__time" dateTime={m.at} title={fullTime(m.at)} data-testid="chat-time">
          {shortTime(m.at)}
        </time>
      </div>
      {m.status === 'decrypting' ? (
        <p className="chat-msg__bubble chat-msg__bubble--quiet">Decrypting…</p>
      ) : m.status === 'undecryptable' ? (
        <p className="chat-msg__bubble chat-msg__bubble--problem" data-testid="chat-text">
          {m.error ?? 'This message could not be decrypted.'}
        </p>
      ) : (
        <p className="chat-msg__bubble" data-testid="chat-text">
          {m.text}
        </p>
      )}
      {m.status === 'sending' && <span className="chat-msg__status">Sending…</span>}
      {m.status === 'failed' && (
        <span className="chat-msg__status chat-msg__status--failed" role="alert">
          {m.error ?? 'Not sent.'}{' '}
          <button type="button" className="chat-msg__retry" data-testid="chat-retry" onClick={() => onRetry(m.id)}>
            Retry
          </button>
        </span>
      )}
    </div>
  );
}

export interface ChatPanelProps {
  log: ChatLog;
  /** Sends; false if there was nothing to send. */
  onSend: (text: string) => boolean;
  onRetry: (id: string) => void;
  onClose: () => void;
  /** What was typed and not sent when the panel last closed, and where to keep it. */
  initialDraft?: string;
  onDraftChange?: (draft: string) => void;
}

const NEAR_BOTTOM_PX = 80;
const COUNTER_FROM = MAX_CHAT_TEXT_LENGTH - 500;

export function ChatPanel({ log, onSend, onRetry, onClose, initialDraft = '', onDraftChange }: ChatPanelProps) {
  const [draft, setDraftState] = useState(initialDraft);
  const setDraft = (text: string) => {
    setDraftState(text);
    onDraftChange?.(text);
  };
  const [unseenBelow, setUnseenBelow] = useState(false);
  const listRef = useRef<HTMLDivElement>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const stick = useRef(true);
  const seenCount = useRef(log.messages.length);
  const counterId = useId();

  useEffect(() => {
    inputRef.current?.focus();
  }, []);

  // Follow new messages while the reader is at the bottom; otherwise offer a way down.
  useLayoutEffect(() => {
    const list = listRef.current;
    if (!list) return;
    const added = log.messages.length > seenCount.current;
    seenCount.current = log.messages.length;
    const last = log.messages[log.messages.length - 1];
    if (stick.current || (added && last?.mine)) {
      list.scrollTop = list.scrollHeight;
      setUnseenBelow(false);
    } else if (added) {
      setUnseenBelow(true);
    }
  }, [log.messages]);

  // The box grows with its text, up to a few lines.
  useLayoutEffect(() => {
    const el = inputRef.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${el.scrollHeight + el.offsetHeight - el.clientHeight}px`; // content, padding and borders
  }, [draft]);

  const onScroll = () => {
    const list = listRef.current;
    if (!list) return;
    stick.current = list.scrollHeight - list.scrollTop - list.clientHeight < NEAR_BOTTOM_PX;
    if (stick.current) setUnseenBelow(false);
  };

  const send = () => {
    if (onSend(draft)) {
      setDraft('');
      stick.current = true;
    }
    inputRef.current?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    }
  };

  const canSend = normalizeChatText(draft).length > 0;
  const length = draft.length;

  return (
    <SidePanel
      title="Chat"
      subtitle={
        <span className="chat__e2ee">
          <LockSmallIcon /> End-to-end encrypted
        </span>
      }
      testId="chat-panel"
      closeTestId="chat-close"
      what="chat"
      onClose={onClose}
    >
      <div className="chat__body">
        <div
          className="chat__list"
          ref={listRef}
          onScroll={onScroll}
          role="log"
          aria-live="polite"
          aria-relevant="additions text"
          aria-label="Chat messages"
          tabIndex={0}
        >
          {log.messages.length === 0 && (
            <div className="chat__empty">
              <span className="chat__empty-icon">
                <LockSmallIcon width={20} height={20} />
              </span>
              <strong>No messages yet</strong>
              <span>
                Messages are end-to-end encrypted: only people in this meeting can read them. The server relays them and keeps nothing, and
                they are gone when you leave.
              </span>
            </div>
          )}
          {log.messages.map((m) => (
            <MessageItem key={m.id} m={m} onRetry={onRetry} />
          ))}
        </div>
        {unseenBelow && (
          <button
            type="button"
            className="chat__jump"
            onClick={() => {
              const list = listRef.current;
              if (list) list.scrollTop = list.scrollHeight;
              stick.current = true;
              setUnseenBelow(false);
            }}
          >
            New messages ↓
          </button>
        )}
      </div>

      <form
        className="chat__composer"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <textarea
          ref={inputRef}
          className="chat__input"
          data-testid="chat-input"
          rows={1}
          value={draft}
          maxLength={MAX_CHAT_TEXT_LENGTH}
          placeholder="Message everyone"
          aria-label="Message to everyone in the meeting"
          aria-describedby={counterId}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKeyDown}
        />
        <button
          type="submit"
          className="chat__send"
          data-testid="chat-send"
          aria-label="Send message"
          title="Send (Enter)"
          disabled={!canSend}
        >
          <SendIcon />
        </button>
        <div className="chat__hint" id={counterId}>
          <span>Enter to send, Shift+Enter for a new line</span>
          {length >= COUNTER_FROM && (
            <span className={`chat__counter${length >= MAX_CHAT_TEXT_LENGTH ? ' chat__counter--full' : ''}`} data-testid="chat-counter">
              {length} / {MAX_CHAT_TEXT_LENGTH}
            </span>
          )}
        </div>
      </form>
    </SidePanel>
  );
}
