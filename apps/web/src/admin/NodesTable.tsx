/** Cluster mode: every live node of the cluster, as its last heartbeat described it (HealthPanel shows it). */
import type { ClusterNodeHealth } from '@conclave/protocol';

export function NodesTable({ nodes }: { nodes: ClusterNodeHealth[] }) {
  return (
    <div className="table-card nodes-card">
      <table className="data-table nodes-table" data-testid="health-nodes">
        <caption className="nodes-table__caption">
          Nodes of this cluster ({nodes.length}). Each meeting lives on one of them; the figures above are this node’s.
        </caption>
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">State</th>
            <th scope="col">Meetings</th>
            <th scope="col">People</th>
            <th scope="col">Workers</th>
            <th scope="col">CPU</th>
            <th scope="col">Last heard</th>
          </tr>
        </thead>
        <tbody>
          {nodes.map((n) => (
            <tr key={n.id} data-testid="health-node" data-node-id={n.id} data-state={n.state} data-self={n.self ? 'true' : 'false'}>
              <td data-label="Node">
                <span className="tabular">{n.id}</span>
                {n.self && <span className="muted"> (this one)</span>}
              </td>
              <td data-label="State">{n.state === 'serving' ? 'Serving' : 'Draining: no new meetings'}</td>
              <td className="tabular" data-label="Meetings">
                {n.rooms}
              </td>
              <td className="tabular" data-label="People">
                {n.peers}
              </td>
              <td className="tabular" data-label="Workers">
                {n.workers}
              </td>
              <td className="tabular" data-label="CPU">
                {Math.round(n.cpu)} %
              </td>
              <td className="tabular" data-label="Last heard">
                {(n.heartbeatAgeMs / 1000).toFixed(1)} s ago
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
