/**
 * The one place where mediasoup's parameter types meet the wire protocol's
 * opaque fields (`Record<string, unknown>`, see packages/protocol/src/media.ts).
 * The protocol deliberately does not re-specify these objects field by field,
 * so crossing between the two is a plain type assertion, never a copy or a
 * check (a single `as` suffices: the index signature keeps the two types
 * comparable). Each crossing is written once here, typed at both ends so a
 * wrong object cannot be passed, with the reason it is sound.
 *
 * Inbound (client → mediasoup): the protocol schema has already bounded the
 * field's size, width and depth, and mediasoup checks the contents itself:
 * Transport.produce/consume run ortc.validateRtpParameters /
 * validateRtpCapabilities (a TypeError on anything malformed),
 * WebRtcTransport.connect's serializer throws a TypeError on missing or unknown
 * fingerprints and roles (and the worker rejects what is left), and
 * Router.canConsume catches its own validation error and answers false. The
 * handlers (signaling/request-handlers.ts) run connect, produce and consume
 * inside `media(...)`, which turns any such error into a media_rejected
 * response, and answer cannot_consume when canConsume says false.
 *
 * Outbound (mediasoup → client): mediasoup's objects are plain JSON data
 * (they are what its ORTC layer and worker exchange); only their declared
 * interfaces lack the index signature that `Record<string, unknown>` needs.
 */
import type { types } from 'mediasoup';

/** An opaque mediasoup object as the protocol carries it. */
export type WireObject = Record<string, unknown>;

// Client → mediasoup. Sound because mediasoup validates what it is given (see above).

/** A client's DTLS parameters (connectTransport), for WebRtcTransport.connect to validate. */
export function dtlsParametersFromWire(wire: WireObject): types.DtlsParameters {
  return wire as types.DtlsParameters;
}

/** A client's RTP parameters (produce), for Transport.produce to validate. */
export function rtpParametersFromWire(wire: WireObject): types.RtpParameters {
  return wire as types.RtpParameters;
}

/** A client's receive RTP capabilities (consume), for Router.canConsume and Transport.consume to validate. */
export function rtpCapabilitiesFromWire(wire: WireObject): types.RtpCapabilities {
  return wire;
}

// mediasoup → client. Sound because these are plain JSON objects (see above).

/** The router's RTP capabilities (join). */
export function rtpCapabilitiesToWire(caps: types.RtpCapabilities): WireObject {
  return caps;
}

/** A transport's (or an ICE restart's) ICE parameters. */
export function iceParametersToWire(ice: types.IceParameters): WireObject {
  return ice;
}

/** A transport's ICE candidates. */
export function iceCandidatesToWire(candidates: types.IceCandidate[]): WireObject[] {
  return candidates;
}

/** A transport's DTLS parameters. */
export function dtlsParametersToWire(dtls: types.DtlsParameters): WireObject {
  return dtls;
}

/** A producer's or consumer's RTP parameters. */
export function rtpParametersToWire(rtp: types.RtpParameters): WireObject {
  return rtp;
}

// Between nodes of a cluster (cluster/media-calls.ts): what one node's mediasoup made, back into mediasoup's types on
// the meeting's home. Sound because the other end is mediasoup itself, and where these go back into mediasoup
// (PipeTransport.connect, Transport.produce, the browser's answer) they are validated again.

/** ICE parameters another node's transport made. */
export function iceParametersFromWire(wire: WireObject): types.IceParameters {
  return wire as types.IceParameters;
}

/** ICE candidates another node's transport made. */
export function iceCandidatesFromWire(wire: WireObject[]): types.IceCandidate[] {
  return wire as types.IceCandidate[];
}

/** A pipe transport's SRTP parameters, for the other end's PipeTransport.connect to validate. */
export function srtpParametersFromWire(wire: WireObject): types.SrtpParameters {
  return wire as types.SrtpParameters;
}

export function srtpParametersToWire(srtp: types.SrtpParameters): WireObject {
  return srtp;
}
