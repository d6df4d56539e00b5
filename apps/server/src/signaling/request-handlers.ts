/**
 * What the server does for each signaling request. Handlers receive data the
 * protocol schemas already checked, act on the room and its mediasoup
 * objects, and return the response data (or throw a RequestError).
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode, notification } from '@conclave/protocol';
import {
  dtlsParametersFromWire,
  dtlsParametersToWire,
  iceCandidatesToWire,
  iceParametersToWire,
  rtpCapabilitiesFromWire,
  rtpCapabilitiesToWire,
  rtpParametersFromWire,
  rtpParametersToWire,
} from '../media/mediasoup-wire.js';
import { MediaUnavailableError } from '../media/local-media-home.js';
import { Peer } from '../rooms/peer.js';
import type { Room } from '../rooms/room.js';
import { admit, type EntryRefusal } from '../rooms/admission.js';
import { NoSuchProducerError, NoWorkerError, type MediaHome } from '../rooms/room-media.js';
import { chatHandlers } from './chat-handlers.js';
import { groupHandlers } from './group-handlers.js';
import type { Handlers } from './handler.js';
import { hostHandlers } from './host-handlers.js';
import { recordingHandlers } from './recording-handlers.js';
import { RequestError } from './request-error.js';
import { joined, type SignalingContext } from './session.js';
import { iceServersFor } from '../turn/turn-credentials.js';

/**
 * Fresh TURN credentials for `peer`, when TURN is configured and its
 * address has credentials left this minute (turn/turn-budget.ts); else none
 * (the join or ICE restart goes ahead without them).
 */
function freshIceServers(ctx: SignalingContext, peerId: string, ip: string) {
  if (!ctx.config.turn) return [];
  if (ctx.turnBudget && !ctx.turnBudget.take(ip)) {
    ctx.logger.info({ peerId, ip }, 'TURN credential budget spent for this address; none given');
    return [];
  }
  return iceServersFor(ctx.config, peerId);
}

/** Per-peer ceilings, so one client cannot exhaust a worker. */
const MAX_TRANSPORTS_PER_PEER = 4;
const MAX_PRODUCERS_PER_PEER = 6;
const MAX_CONSUMERS_PER_PEER = 300;

function transportOf(peer: Peer, transportId: string) {
  const transport = peer.transports.get(transportId);
  if (!transport) throw new RequestError(ErrorCode.NotFound, 'no such transport');
  return transport;
}

function producerOf(peer: Peer, producerId: string) {
  const producer = peer.producers.get(producerId);
  if (!producer) throw new RequestError(ErrorCode.NotFound, 'no such producer');
  return producer;
}

/** mediasoup's TypeError/Error for bad client parameters becomes media_rejected. */
async function media<T>(what: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (err instanceof RequestError) throw err;
    throw new RequestError(ErrorCode.MediaRejected, `${what}: ${(err as Error).message}`);
  }
}

/** The peer's media home (placing it again after its worker died); Unavailable while no worker is up. */
async function placed(room: Room, peer: Peer): Promise<MediaHome> {
  try {
    return await room.homeOf(peer);
  } catch (err) {
    if (err instanceof NoWorkerError) throw new RequestError(ErrorCode.Unavailable, err.message);
    throw new RequestError(ErrorCode.NotJoined, 'you are no longer in the meeting');
  }
}

/** The signaling error for a join admission.ts refuses. */
function joinRefused(refusal: EntryRefusal): RequestError {
  switch (refusal) {
    case 'not_found':
      return new RequestError(ErrorCode.NoSuchRoom, 'there is no meeting at this address');
    case 'wrong_room':
      return new RequestError(ErrorCode.Forbidden, 'this connection was let in for another room');
    case 'ticket_needed':
      return new RequestError(ErrorCode.Forbidden, 'join through the meeting link (a join ticket is needed)');
    case 'room_locked':
      return new RequestError(ErrorCode.RoomLocked, 'the meeting is locked: nobody new can join');
  }
}

export const handlers: Handlers = {
  async join(session, { roomId, displayName }, ctx) {
    const { registry, directory, lobby, passes, config, logger } = ctx;
    // Requests of one connection run one at a time: nothing else changes these while this join awaits.
    if (session.peer) throw new RequestError(ErrorCode.AlreadyJoined, 'this connection has already joined a room');
    // One join per connection (and so per ticket): coming back takes a new connection with a new ticket.
    if (session.joinedOnce) {
      throw new RequestError(ErrorCode.JoinUsed, 'this connection has joined once already: open a new connection with a new ticket');
    }
    if (session.waiting) throw new RequestError(ErrorCode.AlreadyJoined, 'already waiting in the lobby');
    const { grant } = session;
    // Back after a dropped connection: a rejoin pass bought this ticket, for this room (so the role is settled: the ticket's).
    const rejoinPass = grant.kind === 'ticket' && grant.roomId === roomId ? grant.rejoinPass : null;
    /** Whose pass this join used up: a join that fails after that gives it back, so a retry is not locked out. */
    let redeemedFrom: string | null = null;
    /** The peer this join made a new pass for: void again if the join fails. */
    let issuedFor: string | null = null;
    try {
      return await seat();
    } catch (err) {
      if (session.peer === null) await undo();
      throw err;
    }

    async function undo() {
      const changes: Array<Promise<void>> = [];
      if (rejoinPass && redeemedFrom !== null) changes.push(passes.giveBack(rejoinPass, roomId, redeemedFrom));
      if (issuedFor !== null) changes.push(passes.revoke(issuedFor));
      for (const r of await Promise.allSettled(changes)) {
        if (r.status === 'rejected')
          logger.warn({ err: r.reason as unknown, roomId }, 'a failed join could not undo its rejoin pass change');
      }
    }

    async function seat() {
      // The room is read and the pass used up together (redeem is atomic in the pass store: of two joins with one
      // pass, one gets its holder). From here to taking the seat (or a lobby place) nothing else is awaited but the
      // new peer's pass and the media router (and, in cluster mode, at a meeting's first join here, the claim of its
      // home: one Redis round trip), so what the checks below read still holds when the join acts on it.
      const [read, redeemed] = await Promise.allSettled([
        directory.get(roomId),
        rejoinPass ? passes.redeem(rejoinPass, roomId) : Promise.resolve(null),
      ]);
      if (redeemed.status === 'fulfilled') redeemedFrom = redeemed.value;
      if (read.status === 'rejected') throw read.reason;
      if (redeemed.status === 'rejected') throw redeemed.reason;
      const stored = read.value;
      // The socket closed while the stores answered: nobody is there to seat (or to wait in the lobby).
      if (!session.isOpen()) throw new RequestError(ErrorCode.Unavailable, 'the connection closed');
      const entry = admit({
        roomId,
        room: stored,
        allowAnonymousRooms: config.allowAnonymousRooms,
        applicant:
          grant.kind === 'ticket' ? { kind: 'ticket', roomId: grant.roomId, role: grant.role } : { kind: 'session', user: grant.user },
        returning: redeemedFrom,
        // A guest a host has already admitted from the lobby is let in even if the room was locked meanwhile.
        admittedFromLobby: session.admitted.has(roomId),
      });
      if (!entry.ok) throw joinRefused(entry.refusal);
      // Cluster mode: the meeting lives whole on its home node, this one if its ticket was placed here.
      const held = ctx.cluster && !registry.get(roomId) ? await ctx.cluster.holdRoom(roomId).catch(() => null) : true;
      if (held === null) throw new RequestError(ErrorCode.Unavailable, 'the server cannot reach its cluster right now: join again');
      if (!held) {
        throw new RequestError(ErrorCode.Unavailable, 'this meeting is served by another server right now: join again');
      }
      const { role } = entry;
      /** The peer this connection comes back as, when it brought a good rejoin pass. */
      const returningFrom = entry.returning;
      if (returningFrom !== null) session.admitted.add(roomId);
      // A returning participant's old self, if still here, is about to be replaced: it does not count.
      const max = entry.full(registry.get(roomId)?.peers);
      if (max !== null) throw new RequestError(ErrorCode.RoomFull, `the meeting is full (${max} people)`);
      if (entry.waitsInLobby) {
        const w = lobby.enter(roomId, {
          displayName,
          send: (m) => session.send(m),
          admit: () => {
            session.admitted.add(roomId);
            session.waiting = null;
            // Admitted, it must now join: a guest that never does is closed like any socket that never joins.
            session.restartJoinDeadline();
          },
          close: () => {
            session.waiting = null;
            setTimeout(() => session.disconnect(), 500).unref();
          },
        });
        if (!w) throw new RequestError(ErrorCode.LobbyFull, `the lobby is full (${lobby.maxWaiting} people waiting): try again in a while`);
        session.waiting = { roomId, requestId: w.requestId };
        return { status: 'waiting' as const };
      }
      // The new peer's pass is made before it is seated: from seating it to answering nothing may be awaited (the
      // roster in the answer must reach it before anything the room says after it), and its pass must exist before
      // its socket can drop (the drop releases it).
      const peerId = randomUUID();
      issuedFor = peerId;
      const newPass = await passes.issue(peerId, roomId);
      const room = await registry.getOrCreate(roomId);
      // A worker for this peer's media (room-media.ts): the room's own while it has room, another when it grows.
      let home: MediaHome;
      try {
        // A participant back after a drop goes to the worker (or node) its media was on, while that has room.
        const before = room.formerHomeOf(returningFrom) ?? (returningFrom !== null ? room.peers.get(returningFrom)?.home?.key : null);
        home = await room.media.place(before ?? null);
      } catch (err) {
        // A room made for this join alone goes again (no peer will ever empty it).
        if (room.peers.size === 0 && room.media.idle) room.close();
        if (err instanceof NoWorkerError) throw new RequestError(ErrorCode.Unavailable, err.message);
        throw err;
      }
      if (session.peer || room.isClosed || !session.isOpen()) {
        room.media.release(home);
        if (session.peer) throw new RequestError(ErrorCode.AlreadyJoined, 'this connection has already joined a room');
        if (!session.isOpen()) throw new RequestError(ErrorCode.Unavailable, 'the connection closed');
        throw new RequestError(ErrorCode.Unavailable, 'the meeting closed while you were joining: try again');
      }
      // Its old self may still be here, if the server has not noticed the old connection die: it goes now,
      // rather than staying as a frozen twin until the heartbeat gives up on it.
      const stale = returningFrom !== null ? room.peers.get(returningFrom) : undefined;
      if (stale) {
        room.removePeer(stale.id);
        stale.disconnect();
      }
      const peer = new Peer({
        id: peerId,
        displayName,
        senderIndex: room.nextSenderIndex(),
        role,
        account: grant.kind === 'session' ? grant.user.username : grant.username,
        ip: grant.ip,
        send: (m) => session.send(m),
        disconnect: () => session.disconnect(),
        log: room.logger,
        home,
      });
      const others = [...room.peers.values()].map((p) => p.info());
      room.addPeer(peer);
      session.peer = peer;
      session.room = room;
      session.joinedOnce = true;
      // A host gets the whole lobby once, as it joins (empty too: a host back after a drop forgets its old list);
      // each change after that comes as lobbyEntered / lobbyLeft.
      if (role === 'host') peer.send(lobby.message(roomId));
      return {
        status: 'joined' as const,
        peerId: peer.id,
        senderIndex: peer.senderIndex,
        role,
        room: { name: stored?.name ?? roomId, locked: stored?.locked ?? false },
        // Every router of every room is made with the same codecs: the same capabilities whichever worker answers.
        routerRtpCapabilities: rtpCapabilitiesToWire(home.router.rtpCapabilities),
        // Fresh short-lived TURN credentials for this peer (none without TURN, or past its address's budget).
        iceServers: freshIceServers(ctx, peer.id, grant.ip),
        iceTransportPolicy: config.iceTransportPolicy,
        peers: others,
        rejoinPass: newPass,
      };
    }
  },

  async createTransport(session, { direction }) {
    const { peer, room } = joined(session);
    if (peer.transports.size >= MAX_TRANSPORTS_PER_PEER) {
      throw new RequestError(ErrorCode.MediaRejected, `at most ${MAX_TRANSPORTS_PER_PEER} transports per participant`);
    }
    // Its home; a new one if its worker died since (it was told mediaReset and is rebuilding its media).
    const home = await placed(room, peer);
    if (home.router.closed) throw new RequestError(ErrorCode.Unavailable, 'media server is restarting');
    const transport = await home.createTransport(direction).catch((err: unknown) => {
      if (err instanceof MediaUnavailableError || home.router.closed)
        throw new RequestError(ErrorCode.Unavailable, 'media server is restarting');
      throw err;
    });
    peer.transports.set(transport.id, transport);
    transport.observer.once('close', () => peer.transports.delete(transport.id));
    transport.on('dtlsstatechange', (state) => {
      if (state === 'failed' || state === 'closed') room.logger.warn({ peerId: peer.id, state }, 'transport DTLS state');
    });
    return {
      transportId: transport.id,
      iceParameters: iceParametersToWire(transport.iceParameters),
      iceCandidates: iceCandidatesToWire(transport.iceCandidates),
      dtlsParameters: dtlsParametersToWire(transport.dtlsParameters),
    };
  },

  async connectTransport(session, { transportId, dtlsParameters }) {
    const { peer } = joined(session);
    const transport = transportOf(peer, transportId);
    await media('connect', () => transport.connect({ dtlsParameters: dtlsParametersFromWire(dtlsParameters) }));
    return {};
  },

  async restartIce(session, { transportId }, ctx) {
    const { peer } = joined(session);
    const iceParameters = await transportOf(peer, transportId).restartIce();
    // The browser gathers relay candidates afresh: with credentials minted now, not at a join long ago.
    const iceServers = freshIceServers(ctx, peer.id, peer.ip);
    return {
      iceParameters: iceParametersToWire(iceParameters),
      ...(iceServers.length > 0 ? { iceServers } : {}),
    };
  },

  async produce(session, { transportId, kind, rtpParameters, source, paused }) {
    const { peer, room } = joined(session);
    const transport = transportOf(peer, transportId);
    if (transport.appData.direction !== 'send') throw new RequestError(ErrorCode.MediaRejected, 'not a send transport');
    if (peer.producers.size >= MAX_PRODUCERS_PER_PEER) {
      throw new RequestError(ErrorCode.MediaRejected, `at most ${MAX_PRODUCERS_PER_PEER} producers per participant`);
    }
    const expectedKind = source === 'mic' || source === 'screen-audio' ? 'audio' : 'video';
    if (kind !== expectedKind) throw new RequestError(ErrorCode.MediaRejected, `a ${source} producer must be ${expectedKind}`);
    const producer = await media('produce', () =>
      transport.produce({
        kind,
        rtpParameters: rtpParametersFromWire(rtpParameters),
        paused,
        appData: { source },
      }),
    );
    peer.producers.set(producer.id, producer);
    producer.observer.once('close', () => peer.producers.delete(producer.id));
    // The transport lives on the peer's home: the producer is consumable from every router of the room now.
    if (peer.home) room.media.addProducer(producer, peer.id, peer.home);
    if (source === 'mic') void room.watchSpeaker(producer, peer.id);
    room.broadcast(
      notification('producerAdded', { peerId: peer.id, producerId: producer.id, kind, source, paused: producer.paused }),
      peer.id,
    );
    return { producerId: producer.id };
  },

  async pauseProducer(session, { producerId }) {
    const { peer, room } = joined(session);
    await producerOf(peer, producerId).pause();
    room.broadcast(notification('producerPaused', { peerId: peer.id, producerId }), peer.id);
    return {};
  },

  async resumeProducer(session, { producerId }) {
    const { peer, room } = joined(session);
    await producerOf(peer, producerId).resume();
    room.broadcast(notification('producerResumed', { peerId: peer.id, producerId }), peer.id);
    return {};
  },

  async closeProducer(session, { producerId }) {
    const { peer } = joined(session);
    producerOf(peer, producerId).close();
    return {};
  },

  async consume(session, { producerId, rtpCapabilities }) {
    const { peer, room } = joined(session);
    const transport = peer.transportFor('recv');
    if (!transport) throw new RequestError(ErrorCode.NotFound, 'create a receive transport first');
    if (peer.consumers.size >= MAX_CONSUMERS_PER_PEER) {
      throw new RequestError(ErrorCode.MediaRejected, `at most ${MAX_CONSUMERS_PER_PEER} consumers per participant`);
    }
    const found = room.media.find(producerId);
    const owner = found ? room.peers.get(found.peerId) : undefined;
    const producer = found?.producer;
    if (!owner || !producer || producer.closed) throw new RequestError(ErrorCode.NotFound, 'no such producer in this room');
    if (owner === peer) throw new RequestError(ErrorCode.CannotConsume, 'cannot consume your own producer');
    const home = peer.home;
    if (!home) throw new RequestError(ErrorCode.NotFound, 'create a receive transport first');
    // One consumer per (peer, producer): asking again (a retry after a lost answer) gets the one it has.
    // Answering with it, rather than refusing, lets such a retry still receive the media, and costs nothing.
    const existing = [...peer.consumers.values()].find((c) => c.producerId === producerId && !c.closed);
    if (existing && existing.appData.transportId === transport.id) {
      return {
        consumerId: existing.id,
        producerId,
        peerId: owner.id,
        kind: existing.kind,
        source: producer.appData.source,
        rtpParameters: rtpParametersToWire(existing.rtpParameters),
        producerPaused: existing.producerPaused,
      };
    }
    // One on a receive transport the client has since replaced goes: the new transport gets the only one.
    existing?.close();
    const caps = rtpCapabilitiesFromWire(rtpCapabilities);
    // Produced on another worker: piped to this peer's router first (once; later consumers share the pipe).
    try {
      await room.media.bringTo(home, producerId);
    } catch (err) {
      if (err instanceof NoSuchProducerError) throw new RequestError(ErrorCode.NotFound, 'no such producer in this room');
      throw err;
    }
    if (!(await home.canConsume(producerId, caps))) {
      throw new RequestError(ErrorCode.CannotConsume, 'your browser cannot receive this media');
    }
    const consumer = await media('consume', () =>
      transport.consume({
        producerId,
        rtpCapabilities: caps,
        paused: true,
        appData: { peerId: owner.id, source: producer.appData.source, transportId: transport.id },
      }),
    );
    peer.consumers.set(consumer.id, consumer);
    // A camera piped from another node flows down that pipe only while some consumer here runs.
    room.media.watch(home, consumer);
    peer.views.add(consumer, producer.rtpParameters);
    consumer.observer.once('close', () => peer.consumers.delete(consumer.id));
    consumer.on('producerclose', () => {
      peer.send(notification('consumerClosed', { consumerId: consumer.id }));
    });
    return {
      consumerId: consumer.id,
      producerId,
      peerId: owner.id,
      kind: consumer.kind,
      source: producer.appData.source,
      rtpParameters: rtpParametersToWire(consumer.rtpParameters),
      producerPaused: consumer.producerPaused,
    };
  },

  async resumeConsumer(session, { consumerId }) {
    const { peer } = joined(session);
    const consumer = peer.consumers.get(consumerId);
    if (!consumer) throw new RequestError(ErrorCode.NotFound, 'no such consumer');
    // Video starts only if its tile is seen; the views decide (see media/consumer-views.ts).
    await peer.views.ready(consumer);
    return {};
  },

  async setViews(session, { views }) {
    const { peer } = joined(session);
    await peer.views.setViews(views);
    return {};
  },

  async leave(session, _data, { passes }) {
    const { peer, room } = joined(session);
    // Leaving on purpose voids the pass: started first, awaited once the peer is out (nothing awaited between the check and the removal).
    const revoked = passes.revoke(peer.id);
    session.peer = null;
    session.room = null;
    room.removePeer(peer.id);
    await revoked;
    return {};
  },

  async ping() {
    return {};
  },

  async reportStatus(session, { e2ee }) {
    joined(session).peer.e2ee = e2ee;
    return {};
  },

  ...hostHandlers,
  ...chatHandlers,
  ...groupHandlers,
  ...recordingHandlers,
};
