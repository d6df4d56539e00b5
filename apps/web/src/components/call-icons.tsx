/** Icons for screen sharing, layouts and pinning (same 24px stroke style as icons.tsx). */
import { Icon, type IconProps } from './icons.js';

export const ScreenShareIcon = (p: IconProps) => (
  <Icon {...p}>
    <rect x="2" y="4" width="20" height="13" rx="2" />
    <path d="M8 21h8M12 17v4M12 14V8M9 10.5 12 7.5l3 3" />
  </Icon>
);
export const ScreenShareOffIcon = (p: IconProps) => (
  <Icon {...p}>
    <rect x="2" y="4" width="20" height="13" rx="2" />
    <path d="M8 21h8M12 17v4M9.5 8l5 5M14.5 8l-5 5" />
  </Icon>
);
export const GridIcon = (p: IconProps) => (
  <Icon {...p}>
    <rect x="3" y="3" width="8" height="8" rx="1.5" />
    <rect x="13" y="3" width="8" height="8" rx="1.5" />
    <rect x="3" y="13" width="8" height="8" rx="1.5" />
    <rect x="13" y="13" width="8" height="8" rx="1.5" />
  </Icon>
);
export const SpeakerViewIcon = (p: IconProps) => (
  <Icon {...p}>
    <rect x="2" y="3" width="20" height="13" rx="2" />
    <rect x="3" y="18.5" width="5" height="3" rx="1" />
    <rect x="9.5" y="18.5" width="5" height="3" rx="1" />
    <rect x="16" y="18.5" width="5" height="3" rx="1" />
  </Icon>
);
export const PinIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M9 3h6l-1 6 4 3v2H6v-2l4-3zM12 14v7" />
  </Icon>
);
export const PinOffIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M9 3h6l-1 6 4 3v2H6v-2l4-3zM12 14v7M3 3l18 18" />
  </Icon>
);
