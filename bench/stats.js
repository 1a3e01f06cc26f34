/** Small helpers the bench scripts share: output lines, medians and millisecond formatting. */
'use strict';

const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');

function log(line = '') { process.stdout.write(`${line}\n`); }

/** The middle value; the mean of the two middle values for an even count. */
function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const ms = (v) => `${v.toFixed(v < 10 ? 2 : 0)} ms`;

/**
 * The Node the package supports (package.json engines: 22 or 24); the targets are judged on it.
 * Node 20, still the default `node` on some machines, starts slower and has no compile cache.
 * On an older Node, the Node 22 that .ci/run installs is used when it is there; otherwise the
 * run goes on and says so.
 */
function supportedNode() {
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath;
  const pinned = path.join(ROOT, '.ci', 'node', 'node_modules', 'node22', 'bin', 'node');
  if (fs.existsSync(pinned)) return pinned;
  process.stderr.write(`note: Node ${process.version} is older than the supported lines (22, 24); run \`npm ci --prefix .ci/node\` to measure on Node 22\n`);
  return process.execPath;
}

/**
 * Runs `script` again on the supported Node with `nodeFlags`, that Node first on PATH (so the
 * `node` cdk8s-cli starts is the same one); returns its exit status.
 */
function rerunOnSupportedNode(script, nodeFlags = []) {
  const node = supportedNode();
  const env = { ...process.env, PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}` };
  const child = spawnSync(node, [...nodeFlags, script, ...process.argv.slice(2)], { stdio: 'inherit', env });
  return child.status ?? 1;
}

module.exports = { log, median, ms, supportedNode, rerunOnSupportedNode };
