/**
 * Raw TCP exchanges with an HTTP server, for tests that send what no HTTP
 * client library would: malformed request lines, header floods, garbage,
 * half-sent requests, and resets (RST) at chosen moments.
 */
import net from 'node:net';

export interface RawAnswer {
  /** The status of the first response line, or null if none came. */
  status: number | null;
  /** Everything received (capped at 64 KiB). */
  text: string;
  /** How the exchange ended: the server closed, the server reset, or our timeout. */
  ended: 'closed' | 'reset' | 'timeout';
  ms: number;
}

/**
 * Connects to 127.0.0.1:`port`, writes `chunks`, and collects the answer until the server closes (or `timeoutMs`).
 * `end`: half-close after writing, as a client that sends a truncated request and hangs up.
 */
export function rawExchange(port: number, chunks: Array<string | Buffer>, timeoutMs = 5000, end = false): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    let done = false;
    const finish = (ended: RawAnswer['ended']) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: m ? Number(m[1]) : null, text, ended, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('connect', () => {
      for (const c of chunks) socket.write(c);
      if (end) socket.end();
    });
    socket.on('data', (d) => {
      if (text.length < 65536) text += d.toString('latin1');
      // One answer is all we wait for when the server keeps the connection open.
      if (/\r\n\r\n/.test(text) && /^HTTP\/1\.[01] \d{3}/.test(text)) {
        const length = /\r\ncontent-length: *(\d+)/i.exec(text);
        const head = text.indexOf('\r\n\r\n') + 4;
        if (length && text.length - head >= Number(length[1])) finish('closed');
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => finish(err.code === 'ECONNRESET' ? 'reset' : 'closed'));
    socket.on('close', () => finish('closed'));
  });
}

/** A WebSocket handshake request for `path` (valid unless `headers` overrides parts of it). */
export function upgradeRequest(path: string, headers: Record<string, string | null> = {}, method = 'GET'): string {
  const base: Record<string, string | null> = {
    Host: '127.0.0.1',
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    ...headers,
  };
  const lines = Object.entries(base)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k}: ${v}`);
  return `${method} ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}
