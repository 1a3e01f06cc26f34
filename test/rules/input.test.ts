/**
 * Reading input as a stream: documents cut at the right places (also across the 1 MiB chunks),
 * lines found for findings, unreadable directories reported and skipped.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { open, textSource, yamlDocuments } from '../../src/rules/input/bytes';
import { jsonDocuments } from '../../src/rules/input/json-documents';
import { globToRegExp, listFiles } from '../../src/rules/input/files';
import { jsonLineIndex, yamlLineIndex } from '../../src/rules/input/lines';
import { readManifests } from '../../src/rules/manifests';

function documents(text: string, json = false) {
  const source = textSource(text);
  const opening = open(source);
  return [...(json ? jsonDocuments(source, opening) : yamlDocuments(source, opening))];
}

describe('YAML streams', () => {
  test('cut at --- and ... lines, with each document\'s first line and bytes', () => {
    const docs = documents('a: 1\n---\nb: 2\n--- # c\nc: 3\n...\n---\nd: "---"\n---');
    expect(docs.map((d) => ('text' in d ? [d.text, d.firstLine] : d))).toEqual([['a: 1\n', 1], ['\nb: 2\n', 2], [' # c\nc: 3\n', 4], ['\nd: "---"\n', 7]]);
  });

  test('60,000 documents over several chunks are cut where the text was joined', () => {
    const parts: string[] = [];
    for (let i = 0; i < 60000; i++) parts.push(`kind: ConfigMap\nmetadata:\n  name: "cm-${i}"\ndata:\n  v: "${'é'.repeat(i % 7)}${i}"\n`);
    const text = parts.join('---\n');
    expect(Buffer.byteLength(text)).toBeGreaterThan(3 * 1024 * 1024);
    const docs = documents(text);
    expect(docs).toHaveLength(60000);
    const sample = [0, 1, 9999, 30000, 59999];
    for (const i of sample) {
      const d = docs[i] as { text: string; firstLine: number; byteStart: number; byteEnd: number };
      expect(d.text.trim()).toBe(parts[i].trim());
      expect(d.firstLine).toBe(i === 0 ? 1 : i * 6);
      expect(Buffer.from(text).subarray(d.byteStart, d.byteEnd).toString('utf8')).toBe(d.text);
    }
  });

  test('a document is marked as holding only spaces, tabs and \\n when it is ASCII without \\r, \\v or \\f', () => {
    const cases: Array<[string, boolean]> = [['a: 1\n\tb\n', true], ['a: é\n', false], ['a: 1\r\n', false], ['a: 1\u000b\n', false], ['a: 1\u000c\n', false], ['a: \u00a0\n', false]];
    for (const [text, plain] of cases) {
      const s = textSource(text);
      const [doc] = [...yamlDocuments(s, open(s))];
      expect({ text, plain: (doc as { plainSpace?: boolean }).plainSpace }).toEqual({ text, plain });
    }
  });

  test('bytes that are not UTF-8 are reported by document, never decoded', () => {
    const bytes = Buffer.concat([Buffer.from('a: 1\n---\nb: '), Buffer.from([0xff, 0xfe, 0x41]), Buffer.from('\n')]);
    const source = () => {
      let offset = 0;
      return { read: (into: Buffer) => { const n = bytes.copy(into, 0, offset); offset += n; return n; }, close: () => undefined };
    };
    const s = source();
    const docs = [...yamlDocuments(s, open(s))];
    expect(docs).toEqual([{ text: 'a: 1\n', firstLine: 1, byteStart: 0, byteEnd: 5, plainSpace: true }, { notText: 'is not UTF-8 text', firstLine: 2 }]);
    const whole = source();
    expect(open({ read: (into: Buffer) => (whole.read(into) && 0) || Buffer.from([0xff, 0xfe]).copy(into), close: () => undefined }).notText).toBe('is UTF-16 text; convert it to UTF-8');
  });
});

describe('JSON streams', () => {
  test('a list streams its items, then itself with empty items; arrays and concatenated values too', () => {
    const list = documents('{"apiVersion":"v1","items":[\n{"kind":"A","x":"]}\\""},\n{"kind":"B"}\n],"kind":"List"}', true);
    expect(list.map((d) => ('text' in d ? JSON.parse(d.text) : d))).toEqual([{ kind: 'A', x: ']}"' }, { kind: 'B' }, { apiVersion: 'v1', items: [], kind: 'List' }]);
    expect(documents('[{"a":1},\n {"b":[1,2]}]', true).map((d) => ('text' in d ? d.firstLine : 0))).toEqual([1, 2]);
    expect(documents('{"a":1}\n{"b":2}\n', true)).toHaveLength(2);
  });

  test('a 3 MiB array with strings across chunk boundaries', () => {
    const items = [];
    for (let i = 0; i < 20000; i++) items.push({ kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data: { text: `${'x\\"y'.repeat(i % 50)} ${i} ]}[{` } });
    const text = JSON.stringify(items, null, 1);
    expect(text.length).toBeGreaterThan(3 * 1024 * 1024);
    const docs = documents(text, true);
    expect(docs).toHaveLength(20000);
    expect(docs.map((d) => ('text' in d ? JSON.parse(d.text).metadata.name : 'x'))).toEqual(items.map((o) => o.metadata.name));
  });
});

describe('field lines', () => {
  test('YAML: the line of each key and item, as the yaml parser finds them', () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: x   # trailing\n  labels: {a: "1"}\nspec:\n  containers:\n  - name: a\n    args: |\n      - not an item\n    ports:\n      - containerPort: 80\n';
    const index = yamlLineIndex(text, 10);
    expect(index.locate(['metadata', 'name'])).toBe(13);
    expect(index.locate(['spec', 'containers', 0, 'ports', 0, 'containerPort'])).toBe(21);
    expect(index.locate(['spec', 'containers', 0, 'readinessProbe'])).toBe(17);
    expect(index.locate(['spec', 'containers', 0, 'args'])).toBe(18);
  });

  test('JSON', () => {
    const index = jsonLineIndex('{\n  "spec": {\n    "ports": [\n      { "port": 80 },\n      { "port": [81] }\n    ]\n  }\n}', 5);
    expect(index.locate(['spec', 'ports', 1, 'port'])).toBe(9);
    expect(index.locate(['spec', 'missing'])).toBe(6);
  });
});

describe('files', () => {
  test('a directory that cannot be read is a note, and the walk goes on', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'files-'));
    try {
      fs.mkdirSync(path.join(dir, 'locked'));
      fs.writeFileSync(path.join(dir, 'ok.yaml'), 'kind: x\n');
      // Root reads any directory, so the refusal is simulated at the one call that reads directories.
      const readdir = ((p: string, o: any) => {
        if (p.endsWith('locked')) throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
        return fs.readdirSync(p, o);
      }) as typeof fs.readdirSync;
      const listed = listFiles([dir], undefined, readdir);
      expect(listed.files).toEqual([path.join(dir, 'ok.yaml')]);
      expect(listed.notes).toEqual([{ kind: 'unreadable', file: path.join(dir, 'locked'), message: 'directory cannot be read: permission denied' }]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each([
    ['charts/**', 'charts/web/templates/a.yaml', true],
    ['charts/**', 'deploy/charts/a.yaml', false],
    ['**/testdata/**', 'a/b/testdata/x.yaml', true],
    ['*.json', 'deep/dir/x.json', true],
    ['vendor/', 'vendor/x/y.yaml', true],
    ['a?.yaml', 'ab.yaml', true],
  ])('ignore glob %s on %s: %s', (glob, file, expected) => {
    expect(globToRegExp(glob).test(file)).toBe(expected);
  });

  test('readManifests (the plugin\'s reader) still refuses invalid input', () => {
    expect(() => readManifests([path.join(__dirname, '..', 'fixtures', 'audit', 'broken.yaml')])).toThrow(/broken\.yaml:12:3: invalid YAML/);
  });
});
