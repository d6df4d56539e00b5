/**
 * Limits of the HTTP edge for a server on the open internet: how long a
 * client may take to send a request, how many connections it may hold, how
 * big a request head may be, and how often refusals are logged. Each number
 * is what a self-hoster should know; docs/self-hosting.md and SECURITY.md
 * quote them. Only the per-address cap is configurable
 * (CONCLAVE_MAX_CONNECTIONS_PER_ADDRESS), for offices behind one NAT address.
 */

/** A request's head (request line and headers) must arrive within this (slowloris). Node's default is 60 s. */
export const HEADERS_TIMEOUT_MS = 10_000;

/** A whole request (head and body) must arrive within this. Node's default is 300 s. Upgraded WebSockets are not affected. */
export const REQUEST_TIMEOUT_MS = 30_000;

/** An idle keep-alive connection is closed after this (as Node's default; browsers reopen at once). */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;

/** How often Node checks the header and request timeouts; the worst-case hold is the timeout plus this (Node's default is 30 s). */
export const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

/**
 * An HTTP socket on which nothing moves either way for this long is closed
 * (`server.timeout`): a client that stops reading a response holds no socket
 * for ever. WebSockets are exempt once upgraded (ws clears the timeout).
 */
export const IDLE_SOCKET_TIMEOUT_MS = 60_000;

/** The request line and headers together, in bytes; over it the answer is 431 (Node's default, said out loud). */
export const MAX_HEADER_BYTES = 16 * 1024;

/** Headers kept per request (Node's default is 2000; a browser sends about 20, a proxy adds a few). */
export const MAX_HEADERS_COUNT = 100;

/** A request target (path and query) longer than this gets 414. A join ticket URL is about 100 characters. */
export const MAX_TARGET_LENGTH = 4096;

/**
 * Open TCP connections for the whole server (`server.maxConnections`); more are
 * closed at accept. Lowered at start to what the process's open-file limit allows.
 */
export const MAX_CONNECTIONS = 10_000;

/** File descriptors kept free under the open-file limit for the store, TLS files, logs and the hasher. */
export const RESERVED_FILE_DESCRIPTORS = 256;

/**
 * Default of CONCLAVE_MAX_CONNECTIONS_PER_ADDRESS: open connections (HTTP and
 * WebSocket) from one address (an IPv6 /64 counts as one). In a meeting a tab
 * holds one WebSocket, plus up to 6 HTTP connections while it loads that close
 * after KEEP_ALIVE_TIMEOUT_MS idle, so 64 lets a few dozen people behind one
 * office NAT address meet at once. Behind a trusted proxy (CONCLAVE_TRUST_PROXY)
 * every connection comes from the proxy: the cap then counts WebSockets by the
 * forwarded client address instead.
 */
export const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 64;

/** A refused socket is destroyed once its answer is flushed, or after this at the latest (a client that does not read). */
export const REFUSED_SOCKET_LINGER_MS = 2_000;

/** Refusals (upgrades, connections over a cap, malformed requests) logged in full per interval; past it, one summary line per interval. */
export const REFUSAL_LOG_BURST = 10;
export const REFUSAL_LOG_INTERVAL_MS = 60_000;
