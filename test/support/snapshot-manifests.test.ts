import * as fs from 'fs';
import * as path from 'path';
import { parsePrettyFormat, readSnapshotManifests } from './snapshot-manifests';

describe('reading the manifests pinned in snapshots', () => {
  const snapshots = readSnapshotManifests(path.join(__dirname, '..'));

  test('finds every construct snapshot, each read back identically', () => {
    // readSnapshotManifests throws when a snapshot does not print back to the same text.
    const files = new Set(snapshots.map((s) => s.file));
    expect([...files].sort()).toEqual(expect.arrayContaining([
      '__snapshots__/example.test.ts.snap',
      'workloads/__snapshots__/resilient-deployment.test.ts.snap',
      'workloads/__snapshots__/resilient-stateful-set.test.ts.snap',
      'workloads/__snapshots__/resilient-daemon-set.test.ts.snap',
      'workloads/__snapshots__/resilient-job.test.ts.snap',
      'workloads/__snapshots__/resilient-cron-job.test.ts.snap',
    ]));
    // Every snapshot in those files pins manifests: none is left out.
    const exportsInFiles = [...files].map((f) => (fs.readFileSync(path.join(__dirname, '..', f), 'utf8').match(/^exports\[/gm) ?? []).length);
    expect(snapshots.length).toBe(exportsInFiles.reduce((a, b) => a + b, 0));
    expect(snapshots.length).toBeGreaterThanOrEqual(19);
  });

  test('keeps strings with newlines and quotes, numbers and booleans', () => {
    const example = snapshots.find((s) => s.file === '__snapshots__/example.test.ts.snap')!;
    const config = example.objects.find((o) => o.kind === 'ConfigMap')!;
    expect(config.data['fluent-bit.conf']).toContain('[SERVICE]\n    Flush         1\n');
    const db = example.objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'db')!;
    expect(typeof db.spec.replicas).toBe('number');
    const web = example.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'web')!;
    const preStop = web.spec.template.spec.containers[0].lifecycle.preStop.exec.command;
    expect(preStop[2]).toContain('"$(cat /tmp/nginx.pid 2>/dev/null)"');
  });

  test('refuses text it cannot read back exactly', () => {
    expect(() => parsePrettyFormat('{\n  "a": 1\n}')).toThrow(/expected ",\\n"/);
    expect(() => parsePrettyFormat('[\n  {\n    "a": 1,\n  },\n]')).not.toThrow();
    expect(() => parsePrettyFormat('{\n  "b": 1,\n  "a": 2,\n}')).toThrow(/did not read back identically/);
  });
});
