/**
 * WebRTC statistics of a whole page, read straight from its
 * RTCPeerConnections (window.conclave.stats() gives only frame and packet
 * counts): an init script keeps a list of every connection the page makes,
 * and readTotals() sums their inbound and outbound RTP counters by kind.
 * summarize() turns a run of readings into one window's figures for one
 * direction (sender → receiver). The in-page code is plain strings: tsx
 * would wrap named functions in a helper the page does not have.
 */
/** The string form of evaluate() both Playwright flavours offer (an expression; a promise is awaited). */
export interface ExpressionEvaluator {
  evaluate(expression: string): Promise<unknown>;
}

/** Add with context.addInitScript({ content }) before the page loads. */
export const TRACK_PEER_CONNECTIONS = `(() => {
  const Original = window.RTCPeerConnection;
  if (!Original || window.__trackedPcs) return;
  const list = (window.__trackedPcs = []);
  window.RTCPeerConnection = new Proxy(Original, {
    construct(target, args, newTarget) {
      const pc = Reflect.construct(target, args, newTarget);
      list.push(pc);
      return pc;
    },
  });
})();`;

/**
 * Running totals (counters only grow while the same connections live). The
 * video figures are the real consumers' only: mediasoup-client's probator
 * stream is left out (see probatorPlis).
 */
export interface MediaTotals {
  at: number;
  video: {
    framesDecoded: number;
    /** Complete frames received, and frames dropped before decoding. */
    framesReceived: number;
    framesDropped: number;
    keyFramesDecoded: number;
    freezeCount: number;
    /** Seconds. */
    totalFreezesDuration: number;
    /** NACKs and PLIs this receiver sent. */
    nackCount: number;
    pliCount: number;
    packetsReceived: number;
    packetsLost: number;
    /** Undefined where the browser does not report it. */
    retransmittedPacketsReceived: number | undefined;
    frameHeight: number | undefined;
  };
  audio: { packetsReceived: number; packetsLost: number; concealedSamples: number; totalSamplesReceived: number };
  /** This page's own video (all simulcast layers): NACKs and PLIs it got from the SFU, packets it sent again. */
  sent: {
    nackCount: number;
    pliCount: number;
    retransmittedPacketsSent: number;
    packetsSent: number;
    /** What holds the encoder back ("none", "cpu", "bandwidth"), the worst over the layers. */
    limitation: string;
    /** The send transport's bandwidth estimate (kbps). */
    availableKbps: number | undefined;
  };
  /** Round-trip time of the selected candidate pairs (the larger), ms. */
  rttMs: number | undefined;
  /** Local UDP ports of the page's live connections' candidates. */
  udpPorts: number[];
  /** data-e2ee of the remote camera tile of `peerName`. */
  e2ee: string | null;
  /** Live (not closed) connections. */
  connections: number;
  /**
   * PLIs sent for mediasoup-client's probator stream (mid "probator", SSRC
   * 1234: padding the SFU sends to probe bandwidth, never a picture), which
   * Chromium keeps asking a key frame for; kept out of the video figures.
   */
  probatorPlis: number;
}

const READ_TOTALS = `async (peerName) => {
  const t = {
    at: Date.now(),
    video: { framesDecoded: 0, framesReceived: 0, framesDropped: 0, keyFramesDecoded: 0, freezeCount: 0, totalFreezesDuration: 0, nackCount: 0, pliCount: 0, packetsReceived: 0, packetsLost: 0, retransmittedPacketsReceived: undefined, frameHeight: undefined },
    audio: { packetsReceived: 0, packetsLost: 0, concealedSamples: 0, totalSamplesReceived: 0 },
    sent: { nackCount: 0, pliCount: 0, retransmittedPacketsSent: 0, packetsSent: 0, limitation: 'none', availableKbps: undefined },
    rttMs: undefined,
    udpPorts: [],
    e2ee: null,
    connections: 0,
    probatorPlis: 0,
  };
  const n = (v) => (typeof v === 'number' ? v : 0);
  for (const pc of window.__trackedPcs || []) {
    if (pc.connectionState === 'closed') continue;
    t.connections++;
    const report = await pc.getStats().catch(() => null);
    if (!report) continue;
    const selected = new Set();
    report.forEach((s) => { if (s.type === 'transport' && s.selectedCandidatePairId) selected.add(s.selectedCandidatePairId); });
    report.forEach((s) => {
      if (s.type === 'inbound-rtp' && (s.mid === 'probator' || s.ssrc === 1234)) {
        t.probatorPlis += n(s.pliCount);
      } else if (s.type === 'inbound-rtp' && s.kind === 'video') {
        const v = t.video;
        v.framesDecoded += n(s.framesDecoded); v.framesReceived += n(s.framesReceived); v.framesDropped += n(s.framesDropped); v.keyFramesDecoded += n(s.keyFramesDecoded);
        v.freezeCount += n(s.freezeCount); v.totalFreezesDuration += n(s.totalFreezesDuration);
        v.nackCount += n(s.nackCount); v.pliCount += n(s.pliCount);
        v.packetsReceived += n(s.packetsReceived); v.packetsLost += n(s.packetsLost);
        if (typeof s.retransmittedPacketsReceived === 'number') v.retransmittedPacketsReceived = n(v.retransmittedPacketsReceived) + s.retransmittedPacketsReceived;
        if (typeof s.frameHeight === 'number') v.frameHeight = s.frameHeight;
      } else if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        const a = t.audio;
        a.packetsReceived += n(s.packetsReceived); a.packetsLost += n(s.packetsLost);
        a.concealedSamples += n(s.concealedSamples); a.totalSamplesReceived += n(s.totalSamplesReceived);
      } else if (s.type === 'outbound-rtp' && s.kind === 'video') {
        t.sent.nackCount += n(s.nackCount); t.sent.pliCount += n(s.pliCount);
        t.sent.retransmittedPacketsSent += n(s.retransmittedPacketsSent); t.sent.packetsSent += n(s.packetsSent);
        if (s.qualityLimitationReason && s.qualityLimitationReason !== 'none' && t.sent.limitation !== 'cpu') t.sent.limitation = s.qualityLimitationReason;
      } else if (s.type === 'candidate-pair' && selected.has(s.id)) {
        if (typeof s.currentRoundTripTime === 'number') t.rttMs = Math.max(t.rttMs ?? 0, s.currentRoundTripTime * 1000);
        if (typeof s.availableOutgoingBitrate === 'number') t.sent.availableKbps = Math.max(t.sent.availableKbps ?? 0, Math.round(s.availableOutgoingBitrate / 1000));
      } else if (s.type === 'local-candidate' && s.protocol === 'udp' && typeof s.port === 'number') {
        t.udpPorts.push(s.port);
      }
    });
  }
  const tile = document.querySelector('[data-testid="remote-tile"][data-peer-name="' + peerName + '"][data-source="camera"]');
  t.e2ee = tile ? tile.getAttribute('data-e2ee') : null;
  return t;
}`;

/** What `page` receives (from `peerName`) and sends, summed over its live connections. */
export async function readTotals(page: ExpressionEvaluator, peerName: string): Promise<MediaTotals> {
  return (await page.evaluate(`(${READ_TOTALS})(${JSON.stringify(peerName)})`)) as MediaTotals;
}

/** One window's figures for one direction: what the receiver decoded of the sender, and how. */
export interface DirectionWindow {
  seconds: number;
  /** Frames decoded per second, each one-second step. */
  fpsSteps: number[];
  fpsMedian: number;
  fpsMin: number;
  fpsMean: number;
  freezes: number;
  freezeSeconds: number;
  /** The receiver's NACKs and PLIs (to the SFU) and what it lost and got again (undefined: never reported). */
  nacks: number;
  plis: number;
  keyFrames: number;
  packetsReceived: number;
  packetsLost: number;
  retransmittedReceived: number | undefined;
  /** The sender's side: NACKs and PLIs it got from the SFU, packets it sent again. */
  senderNacks: number;
  senderPlis: number;
  senderRetransmitted: number;
  audioPackets: number;
  audioLost: number;
  /** Share of audio samples the receiver had to conceal, %. */
  audioConcealedPct: number;
  rttMs: number | undefined;
  frameHeight: number | undefined;
  /** Every reading showed the tile as "encrypted". */
  alwaysEncrypted: boolean;
  e2eeStates: string[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Figures between the first and last readings; `receiver[i]` and `sender[i]` were read together. */
export function summarize(receiver: MediaTotals[], sender: MediaTotals[]): DirectionWindow {
  if (receiver.length < 3 || receiver.length !== sender.length)
    throw new Error(`summarize: need ≥ 3 paired readings (got ${receiver.length}/${sender.length})`);
  const first = receiver[0]!;
  const last = receiver[receiver.length - 1]!;
  const sFirst = sender[0]!;
  const sLast = sender[sender.length - 1]!;
  const grow = (a: number, b: number, what: string) => {
    if (b < a) throw new Error(`summarize: ${what} went back from ${a} to ${b} (connections replaced: a rejoin?)`);
    return b - a;
  };
  const fpsSteps: number[] = [];
  for (let i = 1; i < receiver.length; i++) {
    const dt = (receiver[i]!.at - receiver[i - 1]!.at) / 1000;
    fpsSteps.push(grow(receiver[i - 1]!.video.framesDecoded, receiver[i]!.video.framesDecoded, 'framesDecoded') / dt);
  }
  const seconds = (last.at - first.at) / 1000;
  const concealed = grow(first.audio.concealedSamples, last.audio.concealedSamples, 'concealedSamples');
  const samples = grow(first.audio.totalSamplesReceived, last.audio.totalSamplesReceived, 'totalSamplesReceived');
  const rtts = receiver.map((r) => r.rttMs).filter((x): x is number => x !== undefined);
  const states = [...new Set(receiver.map((r) => String(r.e2ee)))];
  return {
    seconds,
    fpsSteps,
    fpsMedian: median(fpsSteps),
    fpsMin: Math.min(...fpsSteps),
    fpsMean: grow(first.video.framesDecoded, last.video.framesDecoded, 'framesDecoded') / seconds,
    freezes: grow(first.video.freezeCount, last.video.freezeCount, 'freezeCount'),
    freezeSeconds: grow(first.video.totalFreezesDuration, last.video.totalFreezesDuration, 'totalFreezesDuration'),
    nacks: grow(first.video.nackCount, last.video.nackCount, 'nackCount'),
    plis: grow(first.video.pliCount, last.video.pliCount, 'pliCount'),
    keyFrames: grow(first.video.keyFramesDecoded, last.video.keyFramesDecoded, 'keyFramesDecoded'),
    packetsReceived: grow(first.video.packetsReceived, last.video.packetsReceived, 'packetsReceived'),
    packetsLost: last.video.packetsLost - first.video.packetsLost, // may go back a little: late packets un-lose
    retransmittedReceived:
      // Chromium reports the counter only once a retransmission has arrived.
      last.video.retransmittedPacketsReceived === undefined
        ? undefined
        : grow(first.video.retransmittedPacketsReceived ?? 0, last.video.retransmittedPacketsReceived, 'retransmittedPacketsReceived'),
    senderNacks: grow(sFirst.sent.nackCount, sLast.sent.nackCount, 'sender nackCount'),
    senderPlis: grow(sFirst.sent.pliCount, sLast.sent.pliCount, 'sender pliCount'),
    senderRetransmitted: grow(sFirst.sent.retransmittedPacketsSent, sLast.sent.retransmittedPacketsSent, 'retransmittedPacketsSent'),
    audioPackets: grow(first.audio.packetsReceived, last.audio.packetsReceived, 'audio packetsReceived'),
    audioLost: last.audio.packetsLost - first.audio.packetsLost,
    audioConcealedPct: samples > 0 ? (100 * concealed) / samples : 0,
    rttMs: rtts.length ? rtts.reduce((a, b) => a + b, 0) / rtts.length : undefined,
    frameHeight: last.video.frameHeight,
    alwaysEncrypted: states.length === 1 && states[0] === 'encrypted',
    e2eeStates: states,
  };
}
