/**
 * The camera's send encodings: the three simulcast layers both ends agree on
 * (@conclave/protocol's CAMERA_SIMULCAST_LAYERS), each with three temporal
 * layers, so the server can give every viewer the size and frame rate it
 * needs. The end-to-end frame transform sees the frames of every layer.
 */
import { CAMERA_SIMULCAST_LAYERS, CAMERA_TEMPORAL_LAYERS } from '@conclave/protocol';

export function simulcastEncodings(): RTCRtpEncodingParameters[] {
  return CAMERA_SIMULCAST_LAYERS.map(({ scaleResolutionDownBy, maxBitrate }) => ({
    scaleResolutionDownBy,
    maxBitrate,
    scalabilityMode: `L1T${CAMERA_TEMPORAL_LAYERS}`,
  }));
}
