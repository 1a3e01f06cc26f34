'use strict';
/**
 * A minimal client for the cluster's API server (HTTPS, bearer token, the server's own CA), and
 * the credential files the components read: tokens, the service-account key, kubeconfigs.
 */
const crypto = require('crypto');
const fs = require('fs');
const https = require('https');
const YAML = require('yaml');

/** Sends one request; resolves `{ status, body }` (body parsed when it is JSON). */
function request(server, { method = 'GET', path, body, contentType = 'application/json', timeoutMs = 10000 }) {
  const url = new URL(path, server.url);
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(url, {
      method,
      ca: server.ca,
      headers: {
        authorization: `Bearer ${server.token}`,
        accept: 'application/json',
        ...(payload === undefined ? {} : { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) }),
      },
      timeout: timeoutMs,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // plain text (readyz, errors from proxies)
        }
        resolve({ status: res.statusCode, body: parsed });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Like request, but throws unless the status is 2xx (or listed in `accept`). */
async function call(server, options, accept = []) {
  const res = await request(server, options);
  if ((res.status >= 200 && res.status < 300) || accept.includes(res.status)) return res;
  const message = typeof res.body === 'object' && res.body.message ? res.body.message : String(res.body).slice(0, 500);
  throw new Error(`${options.method || 'GET'} ${options.path}: HTTP ${res.status}: ${message}`);
}

const randomToken = () => crypto.randomBytes(24).toString('hex');

/**
 * The identities of the cluster: an administrator (tests, kubectl, kwok) and the controller
 * manager and scheduler as the users the built-in RBAC roles are bound to.
 */
function newIdentities() {
  return {
    admin: { user: 'cluster-admin', token: randomToken(), groups: ['system:masters'] },
    controllerManager: { user: 'system:kube-controller-manager', token: randomToken(), groups: [] },
    scheduler: { user: 'system:kube-scheduler', token: randomToken(), groups: [] },
  };
}

/** The API server's --token-auth-file: token,user,uid,"groups". */
function tokenFile(identities) {
  return Object.values(identities)
    .map((id) => `${id.token},${id.user},${id.user}${id.groups.length ? `,"${id.groups.join(',')}"` : ''}`)
    .join('\n') + '\n';
}

/** An RSA key for signing and verifying service-account tokens. */
function serviceAccountKey() {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return privateKey.export({ type: 'pkcs1', format: 'pem' });
}

/** A kubeconfig for `server` as `identity`. */
function kubeconfig(server, identity, name = 'cdk8s-resilient') {
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: server.url, 'certificate-authority-data': Buffer.from(server.ca).toString('base64') } }],
    users: [{ name: identity.user, user: { token: identity.token } }],
    contexts: [{ name, context: { cluster: name, user: identity.user } }],
    'current-context': name,
  });
}

/** Reads server URL, CA and token back from a kubeconfig this module wrote. */
function serverFromKubeconfig(file) {
  const config = YAML.parse(fs.readFileSync(file, 'utf8'));
  const cluster = config.clusters[0].cluster;
  return { url: cluster.server, ca: Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8'), token: config.users[0].user.token };
}

module.exports = { request, call, newIdentities, tokenFile, serviceAccountKey, kubeconfig, serverFromKubeconfig };
