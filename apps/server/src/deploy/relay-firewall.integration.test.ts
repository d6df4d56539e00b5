/**
 * scripts/coturn/relay-firewall.sh, applied for real: in a network namespace
 * of the test's own (unshare -n: nothing outside it is touched) whose
 * loopback holds the "public address", the rule is loaded with nft, then
 * UDP is sent to that address from a TURN relay port and from an ordinary
 * port. Only the media ports may be reached from a relay port; other
 * senders, and TCP, are not affected.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../test-support/coturn.js';

const PUBLIC_IP = '203.0.113.10';
const MEDIA_PORT = 40000;

/** Runs in the namespace: listens on a few UDP ports of PUBLIC_IP, sends one datagram to each from `fromPort`, prints what arrived. */
const probe = `
const dgram = require('node:dgram');
const ip = ${JSON.stringify(PUBLIC_IP)};
const targets = [${MEDIA_PORT}, ${MEDIA_PORT + 1}, ${MEDIA_PORT + 2}, 443, 3478];
const froms = [50000, 65535, 30000];
const got = {};
(async () => {
  const listeners = await Promise.all(targets.map((port) => new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.on('message', (m) => { got[m.toString()] = true; });
    s.bind(port, ip, () => resolve(s));
  })));
  for (const from of froms) {
    const s = dgram.createSocket('udp4');
    s.on('error', () => undefined);
    await new Promise((resolve) => s.bind(from, ip, resolve));
    for (const port of targets) await new Promise((resolve) => s.send(from + '->' + port, port, ip, () => resolve()));
    await new Promise((r) => setTimeout(r, 100));
    s.close();
  }
  for (const l of listeners) l.close();
  console.log(JSON.stringify(got));
})();
`;

function inNamespace(script: string): string {
  return execFileSync('unshare', ['-n', 'sh', '-c', script], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', PROBE: probe, NODE: process.execPath },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('the relay firewall rule, loaded into a private network namespace', () => {
  it('lets relay ports reach the public address only on the media ports', () => {
    const firewall = path.join(REPO_ROOT, 'scripts/coturn/relay-firewall.sh');
    const out = inNamespace(
      `set -e; ip link set lo up; ip addr add ${PUBLIC_IP}/32 dev lo;
       CONCLAVE_PUBLIC_IP=${PUBLIC_IP} CONCLAVE_RTC_PORT=${MEDIA_PORT} CONCLAVE_WORKERS=2 sh ${firewall} --apply 2>/dev/null;
       "$NODE" -e "$PROBE"`,
    );
    const got = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, boolean>;
    const delivered = (from: number, to: number) => got[`${from}->${to}`] === true;
    for (const from of [50000, 65535]) {
      // From coturn's relay ports (coturn.conf min-port … max-port): the two media ports only.
      expect(delivered(from, MEDIA_PORT), `${from}->${MEDIA_PORT}`).toBe(true);
      expect(delivered(from, MEDIA_PORT + 1), `${from}->${MEDIA_PORT + 1}`).toBe(true);
      for (const port of [MEDIA_PORT + 2, 443, 3478]) expect(delivered(from, port), `${from}->${port}`).toBe(false);
    }
    // Not from a relay port: untouched (the rule is for the relay, not for the host's other programs).
    for (const port of [MEDIA_PORT, MEDIA_PORT + 2, 443, 3478]) expect(delivered(30000, port), `30000->${port}`).toBe(true);
  });

  it('without the rule, the same relay port reaches every port (the control)', () => {
    const out = inNamespace(`set -e; ip link set lo up; ip addr add ${PUBLIC_IP}/32 dev lo; "$NODE" -e "$PROBE"`);
    const got = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, boolean>;
    for (const port of [MEDIA_PORT, 443, 3478]) expect(got[`50000->${port}`], `50000->${port}`).toBe(true);
  });
});
