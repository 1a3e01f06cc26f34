'use strict';
/**
 * `up` starts a throwaway Kubernetes cluster on this machine: etcd, kube-apiserver,
 * kube-controller-manager and kube-scheduler built from Kubernetes' own modules, and kwok playing
 * the kubelet of six simulated nodes in three zones. Everything listens on 127.0.0.1 at free
 * ports and keeps its data in a fresh temporary directory. `down` stops it and removes the data.
 *
 * What a caller gets: .cluster/kubeconfig (cluster administrator), .cluster/bin/kubectl (the
 * kubectl of the same release) and .cluster/state.json (versions, PIDs, data directory). jest's
 * global setup and `npm run cluster -- up` call the same `up`; when a healthy cluster described
 * by .cluster/state.json is already running, `up` reuses it and says so (`reused: true`), and
 * only the caller that started a cluster stops it.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const YAML = require('yaml');
const { ensureBinaries, chosenLine, REPO_ROOT } = require('./build');
const { startProcess, stopProcesses, runs, freePorts, waitFor } = require('./processes');
const api = require('./api');
const { simulatedNodes, isReady } = require('./nodes');
const { stagesFor } = require('./stages');

const CLUSTER_DIR = path.join(REPO_ROOT, '.cluster');
const STATE_FILE = path.join(CLUSTER_DIR, 'state.json');
const KUBECONFIG = path.join(CLUSTER_DIR, 'kubeconfig');
const KUBECTL = path.join(CLUSTER_DIR, 'bin', 'kubectl');
const SERVICE_CIDR = '10.96.0.0/16';

/** The state of the cluster .cluster/ describes, or undefined. */
function readState() {
  try {
    return JSON.parse(fs.readFileSync(STATE_FILE, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Whether every process of `state` still runs and the API server answers /readyz. */
async function isHealthy(state) {
  if (!state || !state.processes.every((p) => runs(p.pid, p.binary))) return false;
  try {
    const res = await api.request(serverOf(state), { path: '/readyz', timeoutMs: 3000 });
    return res.status === 200;
  } catch {
    return false;
  }
}

function serverOf(state) {
  return api.serverFromKubeconfig(state.kubeconfig);
}

/** Writes a file readable only by this user (keys and tokens). */
function writePrivate(file, content) {
  fs.writeFileSync(file, content, { mode: 0o600 });
  return file;
}

/** The flags of each component, in start order. */
function componentArgs({ bin, data, ports, files }) {
  const etcdUrl = `http://127.0.0.1:${ports.etcd}`;
  const peerUrl = `http://127.0.0.1:${ports.etcdPeer}`;
  return {
    etcd: [bin.kube, ['etcd',
      '--name=default', `--data-dir=${path.join(data, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`, `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`, `--initial-advertise-peer-urls=${peerUrl}`, `--initial-cluster=default=${peerUrl}`,
      // A test cluster's data is thrown away: skipping fsync makes every write much cheaper.
      '--unsafe-no-fsync', '--log-level=warn',
    ]],
    apiserver: [bin.kube, ['apiserver',
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${ports.apiserver}`,
      // The server writes its own self-signed serving certificate (for 127.0.0.1) here.
      `--cert-dir=${path.join(data, 'pki')}`,
      `--token-auth-file=${files.tokens}`, '--authorization-mode=RBAC',
      `--service-account-key-file=${files.serviceAccountKey}`, `--service-account-signing-key-file=${files.serviceAccountKey}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      // No endpoints for the `kubernetes` Service: nothing in the cluster dials the API server
      // through it, and a loopback endpoint would be rejected by endpoint validation.
      '--endpoint-reconciler-type=none',
      '--v=1',
    ]],
    controllerManager: [bin.kube, ['controller-manager',
      `--kubeconfig=${files.controllerManagerKubeconfig}`,
      `--authentication-kubeconfig=${files.controllerManagerKubeconfig}`, `--authorization-kubeconfig=${files.controllerManagerKubeconfig}`,
      '--bind-address=127.0.0.1', `--secure-port=${ports.controllerManager}`, `--cert-dir=${path.join(data, 'controller-manager')}`,
      '--leader-elect=false', `--service-cluster-ip-range=${SERVICE_CIDR}`,
      // Each controller acts as its own service account (job-controller, replicaset-controller,
      // ...) under the built-in RBAC roles, as in a kubeadm cluster.
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${files.serviceAccountKey}`, `--root-ca-file=${files.apiserverCa}`,
      '--v=1',
    ]],
    scheduler: [bin.kube, ['scheduler',
      `--kubeconfig=${files.schedulerKubeconfig}`,
      `--authentication-kubeconfig=${files.schedulerKubeconfig}`, `--authorization-kubeconfig=${files.schedulerKubeconfig}`,
      '--bind-address=127.0.0.1', `--secure-port=${ports.scheduler}`, `--cert-dir=${path.join(data, 'scheduler')}`,
      '--leader-elect=false', '--v=1',
    ]],
    kwok: [bin.kwok, [
      `--kubeconfig=${files.adminKubeconfig}`, `--config=${files.stages}`,
      '--manage-all-nodes=true', '--node-lease-duration-seconds=40',
      '--cidr=10.244.0.0/16', '--node-ip=10.0.0.1',
    ]],
  };
}

/** The default StorageClass: claims get a simulated volume from the claim-gets-volume stage. */
const STORAGE_CLASS = {
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
  provisioner: 'simulated.cdk8s-resilient.test/volume',
  reclaimPolicy: 'Retain',
  volumeBindingMode: 'Immediate',
};

/**
 * Starts the cluster (or reuses a healthy running one). Returns the state plus `reused`.
 * Options: line (Kubernetes line, default CLUSTER_KUBERNETES or the newest), log.
 */
async function up({ line = chosenLine(), log = (m) => process.stderr.write(`${m}\n`), timeoutMs = 120000 } = {}) {
  const existing = readState();
  if (existing && existing.line === line && await isHealthy(existing)) {
    log(`cluster already running (Kubernetes ${existing.versions.kubernetes}, ${existing.server}); reusing it`);
    return { ...existing, reused: true };
  }
  if (existing) await down({ log, quiet: true });

  const binaries = ensureBinaries({ line, log });
  const started = Date.now();
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-resilient-cluster-'));
  fs.mkdirSync(path.join(data, 'logs'));
  fs.mkdirSync(path.join(data, 'pki'));
  fs.mkdirSync(path.join(CLUSTER_DIR, 'bin'), { recursive: true });

  const [etcd, etcdPeer, apiserverPort, controllerManager, scheduler] = await freePorts(5);
  const ports = { etcd, etcdPeer, apiserver: apiserverPort, controllerManager, scheduler };
  const identities = api.newIdentities();
  const files = {
    tokens: writePrivate(path.join(data, 'tokens.csv'), api.tokenFile(identities)),
    serviceAccountKey: writePrivate(path.join(data, 'service-account.key'), api.serviceAccountKey()),
    apiserverCa: path.join(data, 'pki', 'apiserver.crt'),
    stages: path.join(data, 'kwok.yaml'),
  };
  fs.writeFileSync(files.stages, stagesFor({ kubeletVersion: binaries.info.kubernetes }).map((s) => YAML.stringify(s)).join('---\n'));

  const state = {
    line,
    versions: { kubernetes: binaries.info.kubernetes, etcd: binaries.info.etcd, kwok: binaries.info.kwok },
    server: `https://127.0.0.1:${ports.apiserver}`,
    kubeconfig: KUBECONFIG,
    kubectl: KUBECTL,
    dataDir: data,
    binDir: binaries.binDir,
    processes: [],
  };
  const phases = [];
  let phaseStart = Date.now();
  const phase = (name) => {
    phases.push(`${name} ${((Date.now() - phaseStart) / 1000).toFixed(1)} s`);
    phaseStart = Date.now();
  };
  const launch = (name, args) => {
    const [binary, argv] = args[name];
    const log = path.join(data, 'logs', `${name}.log`);
    const pid = startProcess(binary, argv, log);
    const proc = { name, pid, binary, log };
    state.processes.push(proc);
    fs.writeFileSync(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);
    return proc;
  };

  try {
    // Credentials that need the server's certificate are written once it exists.
    let args = componentArgs({ bin: binaries, data, ports, files });
    const etcdProc = launch('etcd', args);
    await waitFor('etcd', async () => (await fetchText(`http://127.0.0.1:${ports.etcd}/health`)).includes('true'), { timeoutMs, watch: [etcdProc] });
    phase('etcd');
    const apiProc = launch('apiserver', args);
    await waitFor('the API server certificate', () => fs.existsSync(files.apiserverCa), { timeoutMs, watch: [apiProc] });
    const server = { url: state.server, ca: fs.readFileSync(files.apiserverCa, 'utf8') };
    const kubeconfigFor = (who, file) => writePrivate(path.join(data, file), api.kubeconfig({ ...server, token: who.token }, who));
    files.adminKubeconfig = kubeconfigFor(identities.admin, 'admin.kubeconfig');
    files.controllerManagerKubeconfig = kubeconfigFor(identities.controllerManager, 'controller-manager.kubeconfig');
    files.schedulerKubeconfig = kubeconfigFor(identities.scheduler, 'scheduler.kubeconfig');
    fs.copyFileSync(files.adminKubeconfig, KUBECONFIG);
    fs.chmodSync(KUBECONFIG, 0o600);
    fs.rmSync(KUBECTL, { force: true });
    fs.symlinkSync(binaries.kube, KUBECTL);
    const admin = { ...server, token: identities.admin.token };
    await waitFor('the API server to be ready', async () => (await api.request(admin, { path: '/readyz' })).status === 200, { timeoutMs, watch: [etcdProc, apiProc] });
    phase('API server');

    args = componentArgs({ bin: binaries, data, ports, files });
    const others = ['controllerManager', 'scheduler', 'kwok'].map((name) => launch(name, args));
    await api.call(admin, { method: 'POST', path: '/apis/storage.k8s.io/v1/storageclasses', body: STORAGE_CLASS });
    const nodes = simulatedNodes();
    for (const node of nodes) await api.call(admin, { method: 'POST', path: '/api/v1/nodes', body: node });
    const all = [etcdProc, apiProc, ...others];
    await waitFor(`${nodes.length} nodes to be Ready`, async () => {
      const list = (await api.call(admin, { path: '/api/v1/nodes' })).body.items;
      return list.length === nodes.length && list.every(isReady);
    }, { timeoutMs, watch: all });
    phase('nodes Ready');
    // Pods need their namespace's `default` ServiceAccount, which the controller manager creates.
    await waitFor('the default ServiceAccount', async () => (await api.request(admin, { path: '/api/v1/namespaces/default/serviceaccounts/default' })).status === 200, { timeoutMs, watch: all });
    await waitFor('the scheduler to be healthy', async () => (await fetchText(`https://127.0.0.1:${ports.scheduler}/healthz`)) === 'ok', { timeoutMs, watch: all });
    phase('controllers');
    state.startedSeconds = Math.round((Date.now() - started) / 100) / 10;
    state.startPhases = phases;
    fs.writeFileSync(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);
    log(`cluster up in ${state.startedSeconds} s (${phases.join(', ')}): Kubernetes ${state.versions.kubernetes}, ${nodes.length} nodes, ${state.server}, kubeconfig ${path.relative(process.cwd(), KUBECONFIG) || KUBECONFIG}`);
    return { ...state, reused: false };
  } catch (e) {
    await down({ log, quiet: true, keepData: process.env.CLUSTER_KEEP_DATA === '1' });
    throw e;
  }
}

/** GET a URL and return its body as text ("" on any error); TLS not verified (health only). */
function fetchText(url) {
  const client = url.startsWith('https:') ? require('https') : require('http');
  return new Promise((resolve) => {
    const req = client.get(url, { rejectUnauthorized: false, timeout: 2000 }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve(text.trim()));
    });
    req.on('error', () => resolve(''));
    req.on('timeout', () => req.destroy());
  });
}

/** Stops the cluster .cluster/state.json describes and removes its data (and .cluster/). */
async function down({ log = (m) => process.stderr.write(`${m}\n`), quiet = false, keepData = false } = {}) {
  const state = readState();
  if (!state) {
    if (!quiet) log('no cluster described by .cluster/state.json; nothing to stop');
    return { stopped: [] };
  }
  const stopped = await stopProcesses([...state.processes].reverse());
  if (state.dataDir && !keepData && path.basename(state.dataDir).startsWith('cdk8s-resilient-cluster-')) {
    fs.rmSync(state.dataDir, { recursive: true, force: true });
  }
  for (const file of [STATE_FILE, KUBECONFIG, KUBECTL]) fs.rmSync(file, { force: true });
  if (!quiet) log(`cluster stopped (${stopped.join(', ') || 'no process was still running'})${keepData ? `; data kept in ${state.dataDir}` : ''}`);
  return { stopped };
}

module.exports = { up, down, readState, isHealthy, CLUSTER_DIR, STATE_FILE, KUBECONFIG, KUBECTL };
