/**
 * The README's usage example, in TypeScript, Python, Java and Go. Each block in the README is a
 * file under test/lang/ that runs for real: here the TypeScript one (against src/), in
 * test/lang/run.sh the others (pytest, JUnit, go test) and the TypeScript one again against the
 * packed tarball. All of them must write test/lang/readme/shop.k8s.yaml byte for byte.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';

const root = path.resolve(__dirname, '..');
const EXAMPLES: Record<string, string> = {
  ts: 'test/lang/readme/main.ts',
  python: 'test/lang/python/readme_example.py',
  java: 'test/lang/java/src/main/java/com/example/shop/Main.java',
  go: 'test/lang/go/readme/main.go',
};
const EXPECTED = path.join(root, 'test/lang/readme/shop.k8s.yaml');

/** The fenced code blocks of a Markdown text, by their language tag. */
function fencedBlocks(markdown: string): Array<{ lang: string; code: string }> {
  return [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map(([, lang, code]) => ({ lang, code }));
}

describe('README examples', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

  test.each(Object.entries(EXAMPLES))('the %s block is %s, character for character', (lang, file) => {
    const source = fs.readFileSync(path.join(root, file), 'utf8');
    const blocks = fencedBlocks(readme).filter((b) => b.lang === lang).map((b) => b.code);
    if (!blocks.includes(source)) {
      throw new Error(`README.md has no \`\`\`${lang} block equal to ${file} (the file CI runs). Fix: copy the file into the README, or the README block into the file`);
    }
  });

  test('the TypeScript example writes what the README says it does, and what every language must write', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-example-'));
    const previous = process.env.CDK8S_OUTDIR;
    process.env.CDK8S_OUTDIR = outdir;   // the example uses `new App()`, as a user's app does
    try {
      jest.isolateModules(() => {
        jest.doMock('cdk8s-resilient', () => jest.requireActual('../src'), { virtual: true });
        require('./lang/readme/main');
      });
    } finally {
      if (previous === undefined) delete process.env.CDK8S_OUTDIR;
      else process.env.CDK8S_OUTDIR = previous;
    }
    const yaml = fs.readFileSync(path.join(outdir, 'shop.k8s.yaml'), 'utf8');
    fs.rmSync(outdir, { recursive: true, force: true });

    // What the README's "The result" paragraph promises.
    const objects = YAML.parseAllDocuments(yaml).map((d) => d.toJS());
    expect(objects.map((o) => o.kind).sort()).toEqual(['Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Service']);
    const deployment = objects.find((o) => o.kind === 'Deployment');
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBe(40);
    expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    expect(deployment.spec.template.metadata.annotations['resilient.cdk8s.io/shutdown-budget']).toMatch(/preStop 5s.*30s/);
    const main = deployment.spec.template.spec.containers[0];
    expect(main.command.slice(0, 2)).toEqual(['/usr/bin/dumb-init', '--']);
    expect(main.readinessProbe).not.toEqual(main.livenessProbe);
    expect(objects.find((o) => o.kind === 'HorizontalPodAutoscaler').spec).toMatchObject({ minReplicas: 2, maxReplicas: 6 });

    if (yaml !== fs.readFileSync(EXPECTED, 'utf8')) {
      throw new Error(`${path.relative(root, EXPECTED)} differs from the TypeScript example's output. It is what the Python, Java and Go `
        + 'examples must write: read the difference, then replace the file with the new output if every change is intended');
    }
  });
});
