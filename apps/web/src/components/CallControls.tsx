/** The bar at the bottom of a call: microphone, camera, leave. */
import type { ReactNode } from 'react';
import { CameraIcon, CameraOffIcon, LeaveIcon, MicIcon, MicOffIcon } from './icons.js';
import { SHORTCUT_KEYS, SHORTCUT_LABEL } from '../hooks/useKeyboardShortcuts.js';

export interface CallControlsProps {
  micEnabled: boolean;
  cameraEnabled: boolean;
  onToggleMic: () => void;
  onToggleCamera: () => void;
  onLeave: () => void;
  /** More buttons, before Leave (the chat toggle). */
  extra?: ReactNode;
}

export function CallControls({ micEnabled, cameraEnabled, onToggleMic, onToggleCamera, onLeave, extra }: CallControlsProps) {
  return (
    <div className="controls" role="toolbar" aria-label="Call controls">
      <button
        type="button"
        data-testid="toggle-mic"
        className={`control${micEnabled ? '' : ' control--off'}`}
        aria-pressed={!micEnabled}
        aria-label={micEnabled ? 'Turn microphone off' : 'Turn microphone on'}
        title={`${micEnabled ? 'Turn microphone off' : 'Turn microphone on'} (${SHORTCUT_LABEL.mic})`}
        aria-keyshortcuts={SHORTCUT_KEYS.mic}
        onClick={onToggleMic}
      >
        {micEnabled ? <MicIcon /> : <MicOffIcon />}
      </button>
      <button
        type="button"
        data-testid="toggle-camera"
        className={`control${cameraEnabled ? '' : ' control--off'}`}
        aria-pressed={!cameraEnabled}
        aria-label={cameraEnabled ? 'Turn camera off' : 'Turn camera on'}
        title={`${cameraEnabled ? 'Turn camera off' : 'Turn camera on'} (${SHORTCUT_LABEL.camera})`}
        aria-keyshortcuts={SHORTCUT_KEYS.camera}
        onClick={onToggleCamera}
      >
        {cameraEnabled ? <CameraIcon /> : <CameraOffIcon />}
      </button>
      {extra}
      <button
        type="button"
        data-testid="leave-button"
        className="control control--leave"
        aria-label="Leave the meeting"
        title={`Leave the meeting (${SHORTCUT_LABEL.leave})`}
        aria-keyshortcuts={SHORTCUT_KEYS.leave}
        onClick={onLeave}
      >
        <LeaveIcon />
        <span className="control__text">Leave</span>
      </button>
    </div>
  );
}
