#!/usr/bin/env node
/**
 * What the tests need from the system, in one table, and a command that installs what is missing.
 *
 *   node scripts/prereqs.js              report: one line per prerequisite; exit 1 if any is missing
 *   node scripts/prereqs.js --install    install what is missing (apt-get as root, or the entry's
 *                                        own command), then report; exit 1 if any is still missing
 *   node scripts/prereqs.js --install --no-fail
 *                                        the same, but always exit 0 (what `npm test` runs first: the
 *                                        tests then skip, or under CI=true fail, naming what is missing)
 *
 * PREREQS_INSTALL=never in the environment turns --install into a report (for machines where the
 * tests must not touch the system). PREREQS_PRETEND_MISSING: see missing() below.
 *
 * Tests ask for entries by name through test/support/prereqs.ts. To add a prerequisite (a
 * toolchain, a binary built from Go modules ...), add an entry: `problem()` returns undefined when
 * it is there and otherwise says what is missing; `install` says how to get it: Debian packages
 * (`apt`), a command run from the repository root (`command`), or only a `hint` for a person.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..');

/** Absolute path of `name` on PATH, or undefined. */
function onPath(name) {
  for (const dir of (process.env.PATH || '').split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/**
 * Whether an ELF executable needs no dynamic loader (has no PT_INTERP program header), i.e. runs in
 * an image without a libc, which is what the injected helpers are for. Undefined if not ELF.
 */
function isStaticElf(file) {
  let buf;
  try {
    buf = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  if (buf.length < 64 || buf.readUInt32BE(0) !== 0x7f454c46) return undefined;
  const is64 = buf[4] === 2;
  const little = buf[5] === 1;
  const u16 = (o) => (little ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o) => (little ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const phoff = is64 ? Number(little ? buf.readBigUInt64LE(0x20) : buf.readBigUInt64BE(0x20)) : u32(0x1c);
  const phentsize = u16(is64 ? 0x36 : 0x2a);
  const phnum = u16(is64 ? 0x38 : 0x2c);
  const PT_INTERP = 3;
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 4 > buf.length) return undefined;
    if (u32(at) === PT_INTERP) return false;
  }
  return true;
}

const commands = (...names) => () => {
  const missing = names.filter((n) => !onPath(n));
  return missing.length ? `${missing.join(', ')} not on PATH` : undefined;
};

const files = (...list) => () => {
  const missing = list.filter((f) => !fs.existsSync(f));
  return missing.length ? `${missing.join(', ')} missing` : undefined;
};

const staticBinary = (file) => () => {
  const s = isStaticElf(file);
  if (s === undefined) return `${file} missing or not an executable`;
  return s ? undefined : `${file} is dynamically linked (the helpers need a static build)`;
};

const all = (...checks) => () => checks.map((c) => c()).filter(Boolean).join('; ') || undefined;

/** @type {import('./prereqs').Prerequisite[]} */
const PREREQUISITES = [
  {
    name: 'dumb-init',
    purpose: 'an init in front of the app: shell-form evidence, injected helpers',
    neededBy: ['test/drill/shell-forms.test.ts', 'test/concerns/injected-helpers.test.ts'],
    problem: all(commands('dumb-init'), files('/usr/bin/dumb-init')),
    install: { apt: ['dumb-init'] },
  },
  {
    name: 'tini',
    purpose: 'an init in front of the app, and its static build for injection',
    neededBy: ['test/drill/shell-forms.test.ts', 'test/drill/drill-local.test.ts', 'test/concerns/injected-helpers.test.ts'],
    problem: all(commands('tini'), staticBinary('/usr/bin/tini-static')),
    install: { apt: ['tini'] },
  },
  {
    name: 'busybox-static',
    purpose: 'the static busybox that HelperInjection copies into images without a shell',
    neededBy: ['test/concerns/injected-helpers.test.ts'],
    problem: staticBinary('/bin/busybox'),
    install: { apt: ['busybox-static'] },
  },
  {
    name: 'bash',
    purpose: 'the bash forms of the shell-form evidence',
    neededBy: ['test/drill/shell-forms.test.ts'],
    problem: commands('bash'),
    install: { apt: ['bash'] },
  },
  {
    name: 'pid-namespace',
    purpose: 'running an app as PID 1 of its own PID namespace, as in a container',
    neededBy: ['test/drill/drill-local.test.ts', 'test/drill/shell-forms.test.ts'],
    problem: () => {
      if (process.platform !== 'linux') return 'PID namespaces need Linux';
      const tools = commands('unshare', 'nsenter')();
      if (tools) return tools;
      if (process.getuid && process.getuid() !== 0) return 'unshare --pid needs root';
      const r = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { encoding: 'utf8', timeout: 30000 });
      if (r.status === 0) return undefined;
      return `unshare --pid --fork --mount-proc failed: ${(r.stderr || (r.error && r.error.message) || `exit ${r.status}`).trim().split('\n')[0]}`;
    },
    install: { apt: ['util-linux'], hint: 'run the tests as root on Linux' },
  },
  {
    name: 'python3',
    purpose: "the drill's exit watch: ptrace (through python3's ctypes) stops PID 1 as it exits and names the processes the kernel then kills",
    neededBy: ['test/drill/pid1-children.test.ts', 'test/drill/drill-local.test.ts', 'test/drill/timing.test.ts'],
    problem: () => {
      const missingCommand = commands('python3')();
      if (missingCommand) return missingCommand;
      const r = spawnSync('python3', ['-I', '-c', 'import ctypes; ctypes.CDLL(None, use_errno=True).ptrace'], { encoding: 'utf8', timeout: 30000 });
      return r.status === 0 ? undefined : `python3 cannot load ptrace through ctypes: ${(r.stderr || `exit ${r.status}`).trim().split('\n').pop()}`;
    },
    install: { apt: ['python3'] },
  },
  {
    name: 'iproute2',
    purpose: "the drill's pod network: a network namespace (ip netns) and a veth pair, so probes go to a pod address instead of 127.0.0.1",
    neededBy: ['test/drill/pod-network.test.ts', 'test/drill/drill-local.test.ts'],
    problem: () => {
      if (process.platform !== 'linux') return 'network namespaces need Linux';
      const tools = commands('ip', 'ss', 'unshare', 'nsenter')();
      if (tools) return tools;
      if (process.getuid && process.getuid() !== 0) return 'ip netns needs root';
      // a veth pair in a throwaway namespace: nothing is left behind
      const r = spawnSync('unshare', ['--net', 'ip', 'link', 'add', 'prereqveth0', 'type', 'veth', 'peer', 'name', 'prereqveth1'], { encoding: 'utf8', timeout: 30000 });
      if (r.status === 0) return undefined;
      return `cannot create a veth pair: ${(r.stderr || (r.error && r.error.message) || `exit ${r.status}`).trim().split('\n')[0]}`;
    },
    install: { apt: ['iproute2'], hint: 'run the tests as root on Linux' },
  },
];

/** The entry called `name`; throws on an unknown name so a typo in a test cannot skip silently. */
function prerequisite(name) {
  const p = PREREQUISITES.find((e) => e.name === name);
  if (!p) throw new Error(`scripts/prereqs.js has no prerequisite named '${name}' (known: ${PREREQUISITES.map((e) => e.name).join(', ')})`);
  return p;
}

/** How to get an entry, in a few words for a skip line or an error. */
function howToInstall(p) {
  const ways = [];
  if (p.install.apt) ways.push(`apt-get install ${p.install.apt.join(' ')}`);
  if (p.install.command) ways.push(p.install.command.join(' '));
  if (p.install.hint) ways.push(p.install.hint);
  ways.push('or: npm run prereqs');
  return ways.join('; ');
}

/**
 * Missing entries among `names` (all when none given), each with what is missing.
 * PREREQS_PRETEND_MISSING=name,... reports entries as missing although they are there: how the
 * skip and CI paths of test/support/prereqs.ts are tested on a machine that has everything.
 */
function missing(names) {
  const list = names && names.length ? names.map(prerequisite) : PREREQUISITES;
  const pretend = new Set((process.env.PREREQS_PRETEND_MISSING || '').split(',').filter(Boolean));
  const problemOf = (p) => (pretend.has(p.name) ? 'pretended missing by PREREQS_PRETEND_MISSING' : p.problem());
  return list.map((p) => ({ prerequisite: p, problem: problemOf(p) })).filter((m) => m.problem);
}

function run(argv, options = {}) {
  const r = spawnSync(argv[0], argv.slice(1), { cwd: ROOT, stdio: options.quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit', encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout || ''}${r.stderr || ''}${r.error ? r.error.message : ''}` };
}

/** Installs the missing entries it can; returns the lines it printed about what it could not. */
function install(todo, log) {
  const notes = [];
  const apt = [...new Set(todo.flatMap((m) => m.prerequisite.install.apt || []))];
  if (apt.length) {
    const root = !process.getuid || process.getuid() === 0;
    if (!root || !onPath('apt-get')) {
      notes.push(`cannot install ${apt.join(' ')}: ${root ? 'no apt-get here' : 'not root'}`);
    } else {
      log(`prereqs: apt-get install ${apt.join(' ')}`);
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      const get = (args) => spawnSync('apt-get', args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const args = ['install', '-y', '-qq', '--no-install-recommends', ...apt];
      let r = get(args);
      // a fresh machine may have no (or stale) package lists: update once, then try again
      if (r.status !== 0) {
        get(['update', '-qq']);
        r = get(args);
      }
      if (r.status !== 0) notes.push(`apt-get install ${apt.join(' ')} failed: ${(r.stderr || '').trim().split('\n').slice(-1)[0]}`);
    }
  }
  for (const m of todo) {
    const cmd = m.prerequisite.install.command;
    if (!cmd) continue;
    log(`prereqs: ${m.prerequisite.name}: ${cmd.join(' ')}`);
    const r = run(cmd, { quiet: true });
    if (!r.ok) notes.push(`${cmd.join(' ')} failed: ${r.output.trim().split('\n').slice(-1)[0]}`);
  }
  return notes;
}

function main(args) {
  const log = (line) => process.stdout.write(`${line}\n`);
  const wantInstall = args.includes('--install') && process.env.PREREQS_INSTALL !== 'never';
  const noFail = args.includes('--no-fail');
  let todo = missing();
  let notes = [];
  if (todo.length && wantInstall) {
    notes = install(todo, log);
    todo = missing();
  }
  const absent = new Set(todo.map((m) => m.prerequisite.name));
  if (!todo.length) {
    log(`prereqs: all present (${PREREQUISITES.map((p) => p.name).join(', ')})`);
  } else {
    for (const p of PREREQUISITES) {
      if (!absent.has(p.name)) continue;
      const m = todo.find((t) => t.prerequisite === p);
      log(`prereqs: MISSING ${p.name} (${m.problem}): ${p.purpose}; needed by ${p.neededBy.join(', ')}; ${howToInstall(p)}`);
    }
    for (const n of notes) log(`prereqs: ${n}`);
  }
  return todo.length && !noFail ? 1 : 0;
}

module.exports = { PREREQUISITES, prerequisite, missing, howToInstall, isStaticElf };

if (require.main === module) process.exitCode = main(process.argv.slice(2));
