/**
 * Byte-identical YAML across languages needs the same cdk8s and cdk8s-plus-27 JavaScript under
 * each of them, so the Python, Java and Go manifests in test/lang must pin exactly the versions
 * package-lock.json installs for the TypeScript synth, and a jsii runtime matching jsii-pacmak.
 */
import * as fs from 'fs';
import * as path from 'path';

const root = path.join(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

function locked(name: string): string {
  const lock = JSON.parse(read('package-lock.json'));
  const entry = lock.packages[`node_modules/${name}`];
  if (!entry) throw new Error(`package-lock.json has no node_modules/${name}`);
  return entry.version;
}

/** `name==version` lines of a pip requirements file. */
function pythonPins(): Map<string, string> {
  const pins = new Map<string, string>();
  for (const line of read('test/lang/python/requirements.txt').split('\n')) {
    const m = /^([A-Za-z0-9_.-]+)==(\S+)\s*$/.exec(line);
    if (m) pins.set(m[1].toLowerCase(), m[2]);
  }
  return pins;
}

function pomProperty(name: string): string | undefined {
  const m = new RegExp(`<${name}>([^<]+)</${name}>`).exec(read('test/lang/java/pom.xml'));
  return m?.[1];
}

/** The version go.mod requires for a module (the `require` line, replaced or not). */
function goRequire(module: string): string | undefined {
  const m = new RegExp(`^\\s*${module.replace(/[./]/g, '\\$&')} (v\\S+)`, 'm').exec(read('test/lang/go/go.mod'));
  return m?.[1];
}

const expected = {
  cdk8s: locked('cdk8s'),
  cdk8sPlus: locked('cdk8s-plus-27'),
  constructs: locked('constructs'),
  jsiiRuntime: locked('jsii-pacmak'),
};

test('package.json pins cdk8s, cdk8s-plus-27 and constructs exactly (a range would let npm move away from the other languages)', () => {
  const devDependencies = JSON.parse(read('package.json')).devDependencies;
  expect(devDependencies).toMatchObject({
    'cdk8s': expected.cdk8s,
    'cdk8s-plus-27': expected.cdk8sPlus,
    'constructs': expected.constructs,
  });
});

test('Python pins the npm versions of cdk8s, cdk8s-plus-27, constructs and a jsii runtime matching jsii-pacmak', () => {
  const pins = pythonPins();
  expect({
    cdk8s: pins.get('cdk8s'),
    cdk8sPlus: pins.get('cdk8s-plus-27'),
    constructs: pins.get('constructs'),
    jsiiRuntime: pins.get('jsii'),
  }).toEqual(expected);
});

test('Java pins the npm versions of cdk8s, cdk8s-plus-27, constructs and a jsii runtime matching jsii-pacmak', () => {
  expect({
    cdk8s: pomProperty('cdk8s.version'),
    cdk8sPlus: pomProperty('cdk8s-plus.version'),
    constructs: pomProperty('constructs.version'),
    jsiiRuntime: pomProperty('jsii-runtime.version'),
  }).toEqual(expected);
});

test('Go requires the npm versions of cdk8s, cdk8s-plus-27, constructs and a jsii runtime matching jsii-pacmak', () => {
  const goMod = read('test/lang/go/go.mod');
  expect(goMod).toMatch(/^go 1\.\d+/m);
  expect({
    cdk8s: goRequire('github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2'),
    cdk8sPlus: goRequire('github.com/cdk8s-team/cdk8s-plus-go/cdk8splus27/v2'),
    constructs: goRequire('github.com/aws/constructs-go/constructs/v10'),
    jsiiRuntime: goRequire('github.com/aws/jsii-runtime-go'),
  }).toEqual({
    cdk8s: `v${expected.cdk8s}`,
    cdk8sPlus: `v${expected.cdk8sPlus}`,
    constructs: `v${expected.constructs}`,
    jsiiRuntime: `v${expected.jsiiRuntime}`,
  });
});

test('the Java and Go harnesses use the library at package.json\'s version (the one `npm run package` builds)', () => {
  const version = JSON.parse(read('package.json')).version;
  expect(pomProperty('cdk8s-resilient.version')).toBe(version);
  expect(goRequire('github.com/cdk8s-resilient/cdk8s-resilient-go/cdk8sresilient')).toBe(`v${version}`);
});

test('the peer dependencies start at the versions the packages are built and tested with', () => {
  // pacmak turns them into the Maven and PyPI ranges of the published packages.
  expect(JSON.parse(read('package.json')).peerDependencies).toEqual({
    'cdk8s': `^${expected.cdk8s}`,
    'cdk8s-plus-27': `^${expected.cdk8sPlus}`,
    'constructs': `^${expected.constructs}`,
  });
});
