import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { NodesTable } from './NodesTable.js';

describe('NodesTable', () => {
  it('lists every node with its state, load and heartbeat, marking the one that answered', () => {
    const html = renderToStaticMarkup(
      <NodesTable
        nodes={[
          { id: 'node-a', self: true, state: 'serving', version: 'v', cpu: 12.4, rooms: 2, peers: 7, workers: 2, heartbeatAgeMs: 800 },
          { id: 'node-b', self: false, state: 'draining', version: 'v', cpu: 3, rooms: 0, peers: 0, workers: 4, heartbeatAgeMs: 1900 },
        ]}
      />,
    );
    expect(html).toContain('Nodes of this cluster (2)');
    expect(html).toMatch(/data-node-id="node-a"[^>]*data-self="true"/);
    expect(html).toMatch(/data-node-id="node-b" data-state="draining" data-self="false"/);
    expect(html).toContain('node-a</span><span class="muted"> (this one)');
    expect(html).toContain('Draining: no new meetings');
    expect(html).toContain('12 %');
    expect(html).toContain('1.9 s ago');
  });
});
