/**
 * Tests that reach under the room into mediasoup (a DirectTransport on a
 * room's router, a consumer's current layers) need the mediasoup objects a
 * MediaHome and a peer's media are on this node. These helpers give them,
 * and fail the test if the object is a proxy of another node's.
 */
import type { types } from 'mediasoup';
import { LocalMediaHome } from '../media/local-media-home.js';
import type { MediaHome } from '../media/media-home.js';
import type { ConsumerData, PeerConsumer, PeerProducer, PeerTransport, PeerTransportData, ProducerData } from '../media/media-objects.js';
import type { WorkerSlot } from '../media/worker-pool.js';

function local(home: MediaHome | null | undefined): LocalMediaHome {
  if (!(home instanceof LocalMediaHome)) throw new Error(`expected media on this node, got ${home ? home.key : 'none'}`);
  return home;
}

/** The mediasoup router of a home on this node. */
export function localRouter(home: MediaHome | null | undefined): types.Router {
  return local(home).router;
}

/** The worker slot of a home on this node. */
export function localSlot(home: MediaHome | null | undefined): WorkerSlot {
  return local(home).slot;
}

const isMediasoup = (o: object) => typeof (o as { dump?: unknown }).dump === 'function';

/** A peer's transport, consumer or producer, as the mediasoup object it is on this node. */
export function mediasoupOf(o: PeerTransport): types.WebRtcTransport<PeerTransportData>;
export function mediasoupOf(o: PeerConsumer): types.Consumer<ConsumerData>;
export function mediasoupOf(o: PeerProducer): types.Producer<ProducerData>;
export function mediasoupOf(o: PeerTransport | PeerConsumer | PeerProducer): object {
  if (!isMediasoup(o)) throw new Error(`expected a mediasoup object on this node, got a proxy (${o.id})`);
  return o;
}
