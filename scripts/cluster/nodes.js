'use strict';
/**
 * The simulated nodes: Node objects registered the way a kubelet registers itself (labels,
 * capacity, addresses), which kwok then keeps Ready. Zones and hostnames carry the well-known
 * labels, so the real scheduler spreads pods over them exactly as on a cloud cluster.
 */

const ZONES = ['zone-a', 'zone-b', 'zone-c'];

/**
 * Node objects: `perZone` nodes in each of `zones`. Each node gets its own InternalIP and pod CIDR
 * so the addresses in pod status differ as they would on a real cluster.
 */
function simulatedNodes({ zones = ZONES, perZone = 2, capacity = { cpu: '16', memory: '64Gi', pods: '110', 'ephemeral-storage': '200Gi' } } = {}) {
  const nodes = [];
  zones.forEach((zone, z) => {
    for (let i = 1; i <= perZone; i++) {
      const name = `node-${zone}-${i}`;
      const index = z * perZone + i;
      nodes.push({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name,
          labels: {
            'kubernetes.io/hostname': name,
            'kubernetes.io/os': 'linux',
            'kubernetes.io/arch': 'amd64',
            'topology.kubernetes.io/region': 'simulated',
            'topology.kubernetes.io/zone': zone,
            'node.kubernetes.io/instance-type': 'simulated',
            type: 'kwok',
          },
          annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
        },
        spec: { podCIDR: `10.244.${index}.0/24`, podCIDRs: [`10.244.${index}.0/24`] },
        status: {
          capacity,
          allocatable: capacity,
          addresses: [
            { type: 'InternalIP', address: `10.0.${z}.${i + 10}` },
            { type: 'Hostname', address: name },
          ],
        },
      });
    }
  });
  return nodes;
}

/** Whether a Node object reports Ready=True. */
function isReady(node) {
  return (node.status?.conditions || []).some((c) => c.type === 'Ready' && c.status === 'True');
}

module.exports = { simulatedNodes, isReady, ZONES };
