/** The chat's icons: send, close, and the small lock of "end-to-end encrypted". */
import type { SVGProps } from 'react';

type IconProps = SVGProps<SVGSVGElement>;
const svg = {
  viewBox: '0 0 24 24',
  fill: 'none',
  stroke: 'currentColor',
  strokeWidth: 2,
  strokeLinecap: 'round',
  strokeLinejoin: 'round',
  'aria-hidden': true,
  focusable: false,
} as const;

export const ChatIcon = (p: IconProps) => (
  <svg width="22" height="22" {...svg} {...p}>
    <path d="M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-4.9A8 8 0 1 1 21 12z" />
    <path d="M8.5 10.5h7M8.5 14h4.5" />
  </svg>
);
export const SendIcon = (p: IconProps) => (
  <svg width="20" height="20" {...svg} {...p}>
    <path d="M4.5 12 3 4.5 21 12 3 19.5z" />
    <path d="M4.5 12H11" />
  </svg>
);
export const CloseIcon = (p: IconProps) => (
  <svg width="20" height="20" {...svg} {...p}>
    <path d="M6 6l12 12M18 6 6 18" />
  </svg>
);
export const LockSmallIcon = (p: IconProps) => (
  <svg width="14" height="14" {...svg} {...p}>
    <rect x="4" y="11" width="16" height="10" rx="2" />
    <path d="M8 11V7a4 4 0 0 1 8 0v4" />
  </svg>
);

/** The call-controls button that opens and closes the chat. */
