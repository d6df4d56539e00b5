/**
 * Cluster mode: the address this node's ends of media pipes listen on, which
 * the other nodes send to. It is the host of CONCLAVE_NODE_INTERNAL_URL (the
 * address the other nodes already reach this one at), resolved once at start
 * when it is a name: mediasoup's PipeTransport takes an IP.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export async function pipeAddressOf(internalUrl: string): Promise<string> {
  let host = new URL(internalUrl).hostname;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (isIP(host)) return host;
  try {
    return (await lookup(host)).address;
  } catch (err) {
    throw new Error(
      `CONCLAVE_NODE_INTERNAL_URL's host ${host} does not resolve (${(err as Error).message}): media pipes between nodes need its address`,
      { cause: err },
    );
  }
}
