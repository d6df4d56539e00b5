/**
 * Camera, microphone and speaker choice: inline on the join screen, and in
 * a dialog from the call's controls bar. Speakers can only be chosen where
 * the browser supports HTMLMediaElement.setSinkId; elsewhere we say so.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { canChooseSpeaker, type DeviceKind, type DeviceLists } from '../media/devices.js';
import { SHORTCUT_LABEL } from '../hooks/useKeyboardShortcuts.js';

export interface DeviceChoice {
  videoinput: string | null;
  audioinput: string | null;
  audiooutput: string | null;
}

export interface DeviceSettingsProps {
  lists: DeviceLists;
  selected: DeviceChoice;
  onSelect: (kind: DeviceKind, deviceId: string) => void;
  busy?: DeviceKind | null;
}

const ROWS: Array<{ kind: DeviceKind; label: string; testId: string; none: string }> = [
  { kind: 'videoinput', label: 'Camera', testId: 'select-camera', none: 'No camera found' },
  { kind: 'audioinput', label: 'Microphone', testId: 'select-microphone', none: 'No microphone found' },
  { kind: 'audiooutput', label: 'Speaker', testId: 'select-speaker', none: 'System default' },
];

export function DeviceSelects({ lists, selected, onSelect, busy }: DeviceSettingsProps) {
  const id = useId();
  const speakers = canChooseSpeaker();
  return (
    <div className="devices">
      {ROWS.map(({ kind, label, testId, none }) => {
        if (kind === 'audiooutput' && !speakers) {
          return (
            <p key={kind} className="field__hint devices__note" data-testid="speaker-unsupported">
              Speaker: this browser plays sound on your system’s default output; change it in your system settings.
            </p>
          );
        }
        const options = lists[kind];
        const value = selected[kind] && options.some((o) => o.deviceId === selected[kind]) ? selected[kind] : (options[0]?.deviceId ?? '');
        return (
          <label key={kind} className="field devices__field" htmlFor={`${id}-${kind}`}>
            <span>{label}</span>
            <select
              id={`${id}-${kind}`}
              data-testid={testId}
              value={value}
              disabled={options.length === 0 || busy === kind}
              onChange={(e) => onSelect(kind, e.target.value)}
            >
              {options.length === 0 && <option value="">{none}</option>}
              {options.map((o) => (
                <option key={o.deviceId} value={o.deviceId}>
                  {o.label}
                </option>
              ))}
            </select>
          </label>
        );
      })}
    </div>
  );
}

function GearIcon() {
  return (
    <svg
      viewBox="0 0 24 24"
      width={22}
      height={22}
      fill="none"
      stroke="currentColor"
      strokeWidth={1.8}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
    >
      <circle cx="12" cy="12" r="3" />
      <path d="M19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z" />
    </svg>
  );
}

/** The controls-bar button and its dialog. */
export function DeviceSettingsButton(props: DeviceSettingsProps) {
  const [open, setOpen] = useState(false);
  const dialogRef = useRef<HTMLDialogElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = dialogRef.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <>
      <button
        ref={buttonRef}
        type="button"
        data-testid="device-settings"
        className="control"
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-label="Camera, microphone and speaker settings"
        title="Devices"
        onClick={() => setOpen(true)}
      >
        <GearIcon />
      </button>
      <dialog
        ref={dialogRef}
        className="device-dialog"
        aria-labelledby={titleId}
        data-testid="device-dialog"
        onClose={() => {
          setOpen(false);
          buttonRef.current?.focus();
        }}
        onClick={(e) => {
          if (e.target === e.currentTarget) setOpen(false); // a click on the backdrop
        }}
      >
        <div className="device-dialog__body">
          <h2 id={titleId}>Devices</h2>
          <DeviceSelects {...props} />
          <p className="field__hint">
            Shortcuts: {SHORTCUT_LABEL.mic} microphone · {SHORTCUT_LABEL.camera} camera · {SHORTCUT_LABEL.leave} leave
          </p>
          <div className="device-dialog__actions">
            <button type="button" className="button button--primary" data-testid="device-settings-done" onClick={() => setOpen(false)}>
              Done
            </button>
          </div>
        </div>
      </dialog>
    </>
  );
}
