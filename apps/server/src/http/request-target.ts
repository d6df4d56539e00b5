/**
 * The one place a request target (`req.url`) is parsed. It never throws:
 * every HTTP handler, the WebSocket upgrade, the API router and /metrics
 * read the path and query from here, and a target that is not a plain
 * origin-form path (RFC 9112 §3.2.1) is answered 400 (414 when over-long)
 * before anything else looks at it.
 *
 * Refused: anything not starting with one `/` (`*`, `http://host/x`), a
 * leading `//` (which URL parsers read as a host: `//a:99999/x` made
 * `new URL` throw and killed the process), bytes outside printable ASCII,
 * `#`, a `%` not followed by two hex digits, a path whose escapes do not
 * decode as UTF-8 or decode to a control character, and targets over
 * MAX_TARGET_LENGTH. The path is kept as sent (still percent-encoded, dot
 * segments untouched), so routes match it exactly.
 */
import type { IncomingMessage } from 'node:http';
import { MAX_TARGET_LENGTH } from './limits.js';

export type RequestTarget =
  | { ok: true; /** as sent, still percent-encoded */ pathname: string; /** without the `?` */ query: URLSearchParams }
  | { ok: false; status: 400 | 414; reason: string };

/** Printable ASCII except `#` (a fragment is never sent) and `?` (the query's start). */
const PATH_CHARS = /^[\x21\x22\x24-\x3e\x40-\x7e]*$/;
/** Printable ASCII except `#`. */
const QUERY_CHARS = /^[\x21\x22\x24-\x7e]*$/;
const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

const bad = (reason: string): RequestTarget => ({ ok: false, status: 400, reason });

/** Parses `raw` (an IncomingMessage's `url`). */
export function parseRequestTarget(raw: string | undefined): RequestTarget {
  if (raw === undefined || raw === '') return bad('the request has no target');
  if (raw.length > MAX_TARGET_LENGTH) {
    return { ok: false, status: 414, reason: `the request target is over ${MAX_TARGET_LENGTH} characters` };
  }
  if (raw[0] !== '/') return bad('the request target must be a path starting with /');
  if (raw[1] === '/') return bad('the request target must not start with //');
  const q = raw.indexOf('?');
  const pathname = q === -1 ? raw : raw.slice(0, q);
  const search = q === -1 ? '' : raw.slice(q + 1);
  if (!PATH_CHARS.test(pathname)) return bad('the path holds a character that must be percent-encoded');
  if (!QUERY_CHARS.test(search)) return bad('the query holds a character that must be percent-encoded');
  if (BAD_ESCAPE.test(pathname)) return bad('the path holds a % that is not followed by two hex digits');
  if (pathname.includes('%')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return bad('the path does not decode as UTF-8');
    }
    // eslint-disable-next-line no-control-regex
    if (/[\x00-\x1f\x7f]/.test(decoded)) return bad('the path decodes to a control character');
  }
  // URLSearchParams never throws: a stray % in the query stays as it is.
  return { ok: true, pathname, query: new URLSearchParams(search) };
}

const CACHE = Symbol('conclave.requestTarget');
type WithTarget = IncomingMessage & { [CACHE]?: { raw: string | undefined; target: RequestTarget } };

/** parseRequestTarget(req.url), parsed once per request (every route asks). */
export function requestTarget(req: IncomingMessage): RequestTarget {
  const r = req as WithTarget;
  const cached = r[CACHE];
  if (cached && cached.raw === req.url) return cached.target;
  const target = parseRequestTarget(req.url);
  r[CACHE] = { raw: req.url, target };
  return target;
}

/** The path of a request whose target parsed, or null (callers answer 400 first, so null is rare). */
export function requestPath(req: IncomingMessage): string | null {
  const t = requestTarget(req);
  return t.ok ? t.pathname : null;
}
