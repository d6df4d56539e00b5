// Exits 0 when the Conclave server configured by this environment answers
// /healthz with 200, over HTTP or HTTPS as configured: the Docker healthcheck.
// It only asks whether the server is up, on this machine, so the certificate
// is not checked (a self-signed one is fine).
import http from 'node:http';
import https from 'node:https';

const env = process.env;
const host = ['', '0.0.0.0', '::'].includes(env.HOST ?? '') ? '127.0.0.1' : env.HOST;
const tls = Boolean(env.CONCLAVE_TLS_CERT) || /^(1|true|yes)$/.test(env.CONCLAVE_TLS_SELF_SIGNED ?? '');
const request = (tls ? https : http).get(
  { host, port: Number(env.PORT || 3000), path: '/healthz', timeout: 4000, rejectUnauthorized: false },
  (res) => {
    res.resume();
    process.exit(res.statusCode === 200 ? 0 : 1);
  },
);
request.on('timeout', () => request.destroy(new Error('timeout')));
request.on('error', (err) => {
  console.error(`healthcheck: ${err.message}`);
  process.exit(1);
});
