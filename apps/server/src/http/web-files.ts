/**
 * The built web app as static files (sirv, with the single-page fallback so
 * /r/<room> loads index.html), made safe for strangers' requests: sirv turns
 * `Range: bytes=10-5` into a read stream whose constructor throws (which
 * ended the process), and a file that vanishes after start (a rebuild)
 * makes its read stream emit an unhandled 'error'. Here a Range header that
 * is not one plain `bytes=a-b` (a ≤ b) or `bytes=a-` is dropped (a server
 * may always ignore Range and send the whole file), and every file stream
 * sirv pipes gets an error listener.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import sirv from 'sirv';
import type { Logger } from '../logger.js';

const SIMPLE_RANGE = /^bytes=(\d{1,15})-(\d{0,15})$/;

/** True for a Range header sirv handles correctly. */
export function rangeIsSimple(range: string): boolean {
  const m = SIMPLE_RANGE.exec(range.trim());
  if (!m) return false;
  return m[2] === '' || Number(m[1]) <= Number(m[2]);
}

export type WebFiles = (req: IncomingMessage, res: ServerResponse, notFound: () => void) => void;

export function webFiles(webDir: string, logger: Logger): WebFiles {
  const serve = sirv(webDir, {
    single: true,
    etag: true,
    setHeaders: (res, pathname) => {
      // Hashed assets never change; index.html must always be fresh.
      res.setHeader('Cache-Control', pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  return (req, res, notFound) => {
    const range = req.headers.range;
    if (range !== undefined && !rangeIsSimple(range)) delete req.headers.range;
    res.once('pipe', (source: Readable) => {
      source.once('error', (err) => {
        logger.warn({ err }, 'a web app file could not be read (was apps/web/dist rebuilt while running?)');
        res.destroy();
      });
    });
    serve(req, res, notFound);
  };
}
