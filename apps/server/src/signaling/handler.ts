/**
 * The shape of a signaling request handler: it gets the connection's
 * session, the request data the protocol schemas already checked, and the
 * server's context, and returns the response data (or throws a
 * RequestError). The handler files (request-handlers.ts and the host, chat
 * and recording ones it gathers into one table) all build on this.
 */
import type { MethodName, ParsedRequestData, ResponseData } from '@conclave/protocol';
import type { Session, SignalingContext } from './session.js';

export type Handler<M extends MethodName> = (
  session: Session,
  data: ParsedRequestData<M>,
  ctx: SignalingContext,
) => Promise<ResponseData<M>>;

/** One handler for every method of the protocol. */
export type Handlers = { [M in MethodName]: Handler<M> };
