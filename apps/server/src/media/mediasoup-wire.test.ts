import type { types } from 'mediasoup';
import { describe, expect, it } from 'vitest';
import {
  dtlsParametersFromWire,
  dtlsParametersToWire,
  iceCandidatesToWire,
  iceParametersToWire,
  rtpCapabilitiesFromWire,
  rtpCapabilitiesToWire,
  rtpParametersFromWire,
  rtpParametersToWire,
} from './mediasoup-wire.js';

const dtls: types.DtlsParameters = { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD' }] };
const rtp: types.RtpParameters = {
  mid: '0',
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
  encodings: [{ ssrc: 1111 }],
};
const caps: types.RtpCapabilities = {
  codecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 111 }],
};
const ice: types.IceParameters = { usernameFragment: 'u', password: 'p', iceLite: true };
const candidates: types.IceCandidate[] = [
  { foundation: 'udpcandidate', priority: 1, address: '203.0.113.1', ip: '203.0.113.1', protocol: 'udp', port: 40000, type: 'host' },
];

describe('mediasoup-wire', () => {
  it('hands mediasoup objects to the wire as they are (no copy, nothing dropped)', () => {
    expect(dtlsParametersToWire(dtls)).toBe(dtls);
    expect(rtpParametersToWire(rtp)).toBe(rtp);
    expect(rtpCapabilitiesToWire(caps)).toBe(caps);
    expect(iceParametersToWire(ice)).toBe(ice);
    expect(iceCandidatesToWire(candidates)).toBe(candidates);
  });

  it('hands wire objects to mediasoup as they are: validating them is mediasoup’s job', () => {
    const bogus = { fingerprints: 'not an array', extra: { deep: [1, 2, 3] } };
    expect(dtlsParametersFromWire(bogus)).toBe(bogus);
    expect(rtpParametersFromWire(bogus)).toBe(bogus);
    expect(rtpCapabilitiesFromWire(bogus)).toBe(bogus);
  });

  it('round-trips through JSON unchanged, as the wire carries it', () => {
    const wire = JSON.parse(JSON.stringify(rtpParametersToWire(rtp))) as Record<string, unknown>;
    expect(rtpParametersFromWire(wire)).toEqual(rtp);
  });
});
