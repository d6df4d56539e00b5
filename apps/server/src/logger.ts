/**
 * Structured logs (pino, JSON lines on stdout). Child loggers carry the
 * room and peer they speak of, so a line can always be traced to its call.
 *
 * Secrets never reach a log line, whoever writes it: pino redacts by path
 * every field that holds a password, token, ticket, rejoin pass, cookie,
 * authorization header or TURN credential, at the top level of a line and
 * one level down (`password`, `*.password`, `req.headers.cookie`, …). URLs
 * (`url`, `path`, `*.url`, …) keep their path but lose every query value
 * and fragment, so `/ws?ticket=…` is logged as `/ws?ticket=[Redacted]`.
 * Deliberate exception: the one-time setup link (app.ts, `setupLink`),
 * which the admin is told to look for in the log.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

export const REDACTED = '[Redacted]';

/** Field names whose values are secrets wherever they appear (top level, or one level down). */
export const SECRET_FIELDS = [
  'password',
  'newPassword',
  'currentPassword',
  'adminPassword',
  'passwordHash',
  'token',
  'setupToken',
  'sessionToken',
  'metricsToken',
  'ticket',
  'rejoinPass',
  'secret',
  'turnSecret',
  'credential',
  'credentials',
  'cookie',
  'authorization',
] as const;

/** Fields that hold a URL (or a request target): logged without query values or fragment. */
export const URL_FIELDS = ['url', 'path', 'href'] as const;

export const REDACT_PATHS: readonly string[] = [
  ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`]),
  ...URL_FIELDS.flatMap((f) => [f, `*.${f}`]),
  ...['req', 'res', '*'].flatMap((o) => [
    `${o}.headers.cookie`,
    `${o}.headers.authorization`,
    `${o}.headers["set-cookie"]`,
    `${o}.headers["proxy-authorization"]`,
  ]),
  'headers.cookie',
  'headers.authorization',
  'headers["set-cookie"]',
  // TURN credentials as the join response carries them.
  'iceServers[*].credential',
  '*.iceServers[*].credential',
  // Node's "Invalid URL" errors carry the URL they refused.
  'err.input',
  '*.err.input',
  // The configuration, should anyone log it whole.
  'config.turn.secret',
  'config.metrics.token',
  'config.adminPassword',
];

const URL_FIELD_SET = new Set<string>([...URL_FIELDS, 'input']);

/** `/ws?ticket=abc&x=1#k=…` → `/ws?ticket=[Redacted]&x=[Redacted]#[Redacted]`; anything else unchanged. */
export function redactUrl(value: string): string {
  const hash = value.indexOf('#');
  const beforeHash = hash === -1 ? value : value.slice(0, hash);
  const q = beforeHash.indexOf('?');
  let out = beforeHash;
  if (q !== -1) {
    const query = beforeHash
      .slice(q + 1)
      .split('&')
      .map((part) => {
        const eq = part.indexOf('=');
        return eq === -1 ? (part ? REDACTED : part) : `${part.slice(0, eq)}=${REDACTED}`;
      })
      .join('&');
    out = `${beforeHash.slice(0, q)}?${query}`;
  }
  return hash === -1 ? out : `${out}#${REDACTED}`;
}

/** What a redacted path's value is replaced with: URLs are trimmed, everything else hidden. */
export function censor(value: unknown, path: string[]): unknown {
  const key = path.at(-1) ?? '';
  if (URL_FIELD_SET.has(key)) return typeof value === 'string' ? redactUrl(value) : value;
  return REDACTED;
}

/** `destination`: where lines go (stdout by default; tests pass a stream to read them). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'conclave' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...REDACT_PATHS], censor },
    },
    destination,
  );
}
