/**
 * Which way this browser lets us transform encoded frames, if any:
 * RTCRtpScriptTransform (the standard; Chromium, Firefox, Safari) or
 * Chromium's older createEncodedStreams. Without either there is no E2EE,
 * and so no call: there is no plaintext mode.
 */
export type FrameTransformSupport = 'script-transform' | 'encoded-streams' | 'none';

export function detectFrameTransformSupport(scope: typeof globalThis = globalThis): FrameTransformSupport {
  const g = scope as unknown as Record<string, unknown>;
  if (typeof g['RTCRtpScriptTransform'] === 'function') return 'script-transform';
  const sender = g['RTCRtpSender'] as { prototype?: Record<string, unknown> } | undefined;
  if (typeof sender?.prototype?.['createEncodedStreams'] === 'function') return 'encoded-streams';
  return 'none';
}
