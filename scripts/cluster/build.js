'use strict';
/**
 * Builds the cluster's binaries from the Go modules under cluster/, or reuses an earlier build.
 *
 * cluster/kube-<minor>/ is a module of the project's own that requires k8s.io/kubernetes and the
 * etcd server at pinned versions (go.mod, go.sum) and holds one small program, `kube`, that runs
 * etcd, kube-apiserver, kube-controller-manager, kube-scheduler or kubectl. cluster/kwok/ pins
 * sigs.k8s.io/kwok, built from its own cmd/kwok.
 *
 * Outputs go to .cache/cluster/<key>/bin (gitignored). The key names the versions and hashes
 * every input of the build (go.mod, go.sum, the program's source, the Go version), so a second
 * run with the same inputs reuses the binaries and a changed pin builds afresh.
 */
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { execFileSync, spawnSync } = require('child_process');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const MODULES_DIR = path.join(REPO_ROOT, 'cluster');
const CACHE_DIR = path.join(REPO_ROOT, '.cache', 'cluster');

/** The Kubernetes lines this project can build, newest first; the first is the default. */
const KUBERNETES_LINES = ['1.37', '1.27'];

/** The Kubernetes line to use: CLUSTER_KUBERNETES (e.g. "1.27") or the newest. */
function chosenLine(env = process.env) {
  const wanted = env.CLUSTER_KUBERNETES || KUBERNETES_LINES[0];
  if (!KUBERNETES_LINES.includes(wanted)) {
    throw new Error(`CLUSTER_KUBERNETES: "${wanted}" is not a Kubernetes line this project builds. Fix: use one of ${KUBERNETES_LINES.join(', ')}`);
  }
  return wanted;
}

/** The version a go.mod requires for `modulePath` ("" when it does not). */
function requiredVersion(goMod, modulePath) {
  const escaped = modulePath.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = goMod.match(new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, 'm'));
  return match ? match[1] : '';
}

/** The go directive of a go.mod ("1.26.0"). */
function goDirective(goMod) {
  const match = goMod.match(/^go\s+(\S+)/m);
  return match ? match[1] : '';
}

/** Versions and module folders for one Kubernetes line. */
function describeLine(line) {
  const kubeDir = path.join(MODULES_DIR, `kube-${line}`);
  const kwokDir = path.join(MODULES_DIR, 'kwok');
  const kubeMod = fs.readFileSync(path.join(kubeDir, 'go.mod'), 'utf8');
  const kwokMod = fs.readFileSync(path.join(kwokDir, 'go.mod'), 'utf8');
  return {
    line,
    kubeDir,
    kwokDir,
    kubernetes: requiredVersion(kubeMod, 'k8s.io/kubernetes'),
    etcd: requiredVersion(kubeMod, 'go.etcd.io/etcd/server/v3'),
    kwok: requiredVersion(kwokMod, 'sigs.k8s.io/kwok'),
    goNeeded: [goDirective(kubeMod), goDirective(kwokMod)].sort(compareVersions).pop(),
  };
}

/** Compares dotted versions ("1.26.8" vs "1.26.0"); a missing part counts as 0. */
function compareVersions(a, b) {
  const pa = a.replace(/^v|^go/, '').split('.').map(Number);
  const pb = b.replace(/^v|^go/, '').split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] || 0) - (pb[i] || 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The Go toolchain on PATH: `{ ok: true, version }` or `{ ok: false, reason }` saying what is
 * missing and how to get it.
 */
function goToolchain(needed) {
  const found = spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' });
  if (found.error || found.status !== 0) {
    return { ok: false, reason: `no Go toolchain (\`go\` is not on PATH); install Go ${needed} or newer to build the control plane` };
  }
  const version = found.stdout.trim().replace(/^go/, '');
  if (compareVersions(version, needed) < 0) {
    return { ok: false, reason: `Go ${version} is older than the ${needed} the cluster modules need; install Go ${needed} or newer` };
  }
  return { ok: true, version };
}

/**
 * Build flags shared by both programs. `providerless` leaves out the in-tree cloud providers
 * (AWS, Azure, GCE, vSphere SDKs in 1.27; already gone from newer releases): nothing here runs on
 * a cloud, and they are a good part of 1.27's compile time.
 */
const BUILD_TAGS = 'providerless';

/** Where a build of `info` lives: .cache/cluster/<versions>-<hash of every input>. */
function cacheKey(info, goVersion) {
  const hash = crypto.createHash('sha256');
  hash.update(`tags=${BUILD_TAGS}\0`);
  for (const dir of [info.kubeDir, info.kwokDir]) {
    for (const name of fs.readdirSync(dir).filter((f) => /^(go\.mod|go\.sum|.*\.go)$/.test(f)).sort()) {
      hash.update(`${path.relative(REPO_ROOT, dir)}/${name}\0`);
      hash.update(fs.readFileSync(path.join(dir, name)));
    }
  }
  hash.update(`go${goVersion}`);
  return `kubernetes-${info.kubernetes}-etcd-${info.etcd}-kwok-${info.kwok}-${hash.digest('hex').slice(0, 12)}`;
}

/** The binaries of a finished build, or undefined when that build has not happened. */
function builtBinaries(binDir) {
  const kube = path.join(binDir, 'kube');
  const kwok = path.join(binDir, 'kwok');
  // The marker is written last, so a build stopped half way is not taken for a finished one.
  if (!fs.existsSync(path.join(binDir, '.complete'))) return undefined;
  return { binDir, kube, kwok };
}

function run(command, args, options, log) {
  log(`$ ${command} ${args.join(' ')}`);
  execFileSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
}

/** `-X` flags so `kubectl version` and the API server's /version tell the release. */
function versionLdflags(kubernetes) {
  const [major, minor] = kubernetes.replace(/^v/, '').split('.');
  const pkg = 'k8s.io/component-base/version';
  return [`-X ${pkg}.gitVersion=${kubernetes}`, `-X ${pkg}.gitMajor=${major}`, `-X ${pkg}.gitMinor=${minor}`, `-X ${pkg}.gitTreeState=clean`].join(' ');
}

/**
 * Builds (or reuses) the binaries of one Kubernetes line. Returns
 * `{ binDir, kube, kwok, reused, seconds, info }`; throws when Go is missing or a build fails.
 */
function ensureBinaries({ line = chosenLine(), log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  const info = describeLine(line);
  const go = goToolchain(info.goNeeded);
  const key = go.ok ? cacheKey(info, go.version) : undefined;
  const binDir = key ? path.join(CACHE_DIR, key, 'bin') : undefined;
  const existing = binDir && builtBinaries(binDir);
  if (existing) return { ...existing, reused: true, seconds: 0, info };
  if (!go.ok) throw new Error(`cannot build the control plane: ${go.reason}`);

  const started = Date.now();
  const staging = `${binDir}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  // -s -w: no symbol table or DWARF; the binaries are run, not debugged, and linking is faster.
  // CGO_ENABLED=0: static binaries, no C compiler needed. -buildvcs=false: the modules sit inside
  // this repository, whose state is not the binaries' version.
  const env = { ...process.env, CGO_ENABLED: '0' };
  log(`building Kubernetes ${info.kubernetes} (etcd ${info.etcd}) and kwok ${info.kwok} with Go ${go.version} into ${path.relative(REPO_ROOT, binDir)}`);
  let step = info.kubeDir;
  try {
    run('go', ['build', '-buildvcs=false', '-tags', BUILD_TAGS, '-o', path.join(staging, 'kube'), '-ldflags', `-s -w ${versionLdflags(info.kubernetes)}`, '.'], { cwd: info.kubeDir, env }, log);
    step = info.kwokDir;
    run('go', ['build', '-buildvcs=false', '-tags', BUILD_TAGS, '-o', path.join(staging, 'kwok'), '-ldflags', '-s -w', 'sigs.k8s.io/kwok/cmd/kwok'], { cwd: info.kwokDir, env }, log);
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    try {
      fs.rmdirSync(path.dirname(binDir)); // only when nothing else is in it
    } catch {
      // another build of the same key is there
    }
    throw new Error(`building the control plane failed: \`go build\` in ${path.relative(REPO_ROOT, step)} exited with status ${e.status}; go's own messages are above`);
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  fs.writeFileSync(path.join(staging, '.complete'), `${JSON.stringify({ ...info, go: go.version, seconds })}\n`);
  fs.rmSync(binDir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(binDir), { recursive: true });
  fs.renameSync(staging, binDir);
  log(`built in ${seconds} s`);
  return { ...builtBinaries(binDir), reused: false, seconds, info };
}

/**
 * Whether the cluster can run here without building: `{ ok, reason }`. True when Go is present
 * (a build will happen) or the binaries are already in the cache.
 */
function canProvide(line = chosenLine()) {
  const info = describeLine(line);
  const go = goToolchain(info.goNeeded);
  if (go.ok) return { ok: true, reason: '' };
  return { ok: false, reason: go.reason };
}

module.exports = { KUBERNETES_LINES, chosenLine, describeLine, ensureBinaries, canProvide, compareVersions, requiredVersion, REPO_ROOT };
