#!/usr/bin/env node
/**
 * A local Kubernetes cluster for the tests (and for trying manifests by hand).
 *
 *   npm run cluster -- up       build or reuse the binaries, start the cluster, wait for 6 Ready nodes
 *   npm run cluster -- down     stop every process `up` started and remove the cluster's data
 *   npm run cluster -- status   what is running, which versions, where the kubeconfig is
 *   npm run cluster -- build    only build (or reuse) the binaries
 *
 * CLUSTER_KUBERNETES=1.27 picks the other Kubernetes line (default: the newest, 1.37).
 * Once up: `.cluster/bin/kubectl --kubeconfig .cluster/kubeconfig get nodes -L topology.kubernetes.io/zone`.
 */
'use strict';

const { up, down, readState, isHealthy } = require('./cluster/control-plane');
const { ensureBinaries } = require('./cluster/build');

async function main(command) {
  switch (command) {
    case 'up': {
      const state = await up();
      process.stdout.write(`KUBECONFIG=${state.kubeconfig}\n`);
      return 0;
    }
    case 'down':
      await down();
      return 0;
    case 'status': {
      const state = readState();
      if (!state) {
        process.stdout.write('no cluster (run `npm run cluster -- up`)\n');
        return 1;
      }
      const healthy = await isHealthy(state);
      process.stdout.write(`${healthy ? 'running' : 'NOT healthy'}: Kubernetes ${state.versions.kubernetes}, etcd ${state.versions.etcd}, kwok ${state.versions.kwok}\n`);
      process.stdout.write(`server ${state.server}\nkubeconfig ${state.kubeconfig}\nkubectl ${state.kubectl}\ndata ${state.dataDir}\n`);
      for (const p of state.processes) process.stdout.write(`  ${p.name} pid ${p.pid} log ${p.log}\n`);
      return healthy ? 0 : 1;
    }
    case 'build': {
      const built = ensureBinaries();
      process.stdout.write(`${built.reused ? 'reused' : 'built'} ${built.binDir}\n`);
      return 0;
    }
    default:
      process.stderr.write('usage: npm run cluster -- up|down|status|build\n');
      return 2;
  }
}

main(process.argv[2]).then((code) => process.exit(code), (e) => {
  process.stderr.write(`cluster ${process.argv[2]}: ${e.message}\n`);
  process.exit(1);
});
