/**
 * A private network namespace for a test: loopback plus a veth pair whose
 * two ends both live inside it, and a default route onto that pair. Firefox
 * will not use loopback ICE candidates, and gathers none without a default
 * route; inside this namespace it has a real-looking interface, while no
 * packet can leave (nothing is connected to the pair, and nothing forwards).
 */
import { execFileSync } from 'node:child_process';

export const NETNS_MEDIA_IP = '10.213.0.1';
/** The other end of the pair (the lossy-network test's relay listens here). */
export const NETNS_PEER_IP = '10.213.0.2';

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function createTestNetns(name: string): { name: string; remove: () => void } {
  try {
    ip('netns', 'del', name);
  } catch {
    // not there: fine
  }
  ip('netns', 'add', name);
  const remove = () => {
    try {
      ip('netns', 'del', name);
    } catch {
      // already gone
    }
  };
  try {
    ip('-n', name, 'link', 'set', 'lo', 'up');
    ip('-n', name, 'link', 'add', 'media0', 'type', 'veth', 'peer', 'name', 'media1');
    ip('-n', name, 'addr', 'add', `${NETNS_MEDIA_IP}/24`, 'dev', 'media0');
    ip('-n', name, 'addr', 'add', `${NETNS_PEER_IP}/24`, 'dev', 'media1');
    ip('-n', name, 'link', 'set', 'media0', 'up');
    ip('-n', name, 'link', 'set', 'media1', 'up');
    ip('-n', name, 'route', 'add', 'default', 'via', NETNS_PEER_IP, 'dev', 'media0');
  } catch (err) {
    remove();
    throw err;
  }
  return { name, remove };
}
