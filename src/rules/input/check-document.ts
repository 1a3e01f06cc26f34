/**
 * Reads one document and checks each of its objects (LocalChecker), in whichever thread has the
 * document (parallel.ts). A worker thread also finds the lines of the fields the findings name,
 * while the text is at hand, so that the main thread (which has the report's serial work) reads
 * fewer documents again afterwards; the lines are those locateFindings (locate.ts) would find,
 * from the same bytes. The main thread leaves that to locateFindings, which reads a document once
 * for all its findings, those of the cross-object rules included.
 */
import { CheckedObject, LocalChecker } from '../local-check';
import { DocumentContext, DocumentText } from './documents';
import { FieldPath, fieldLines, PathTrie } from './lines';
import { ReadResult, readWith } from './pipeline';

export type Checked = CheckedObject | undefined;

export function checkDocument(checker: LocalChecker, doc: DocumentText, context: DocumentContext, findLines: boolean): ReadResult<Checked> {
  return readWith(doc, context, (object, prefix, known) => {
    const checked = checker.check(object);
    // A document that cannot be read again (byteStart -1) has no lines for its fields.
    if (findLines && checked && checked.findings.length > 0 && doc.byteStart >= 0) locateLocal(checked, doc, context.json, prefix, known);
    return checked;
  });
}

function locateLocal(checked: CheckedObject, doc: DocumentText, json: boolean, prefix: FieldPath, known: number | undefined): void {
  const full = (p: FieldPath): FieldPath => (prefix.length === 0 ? p : [...prefix, ...p]);
  const wanted = new PathTrie();
  for (const f of checked.findings) wanted.add(full(f.pathSegments));
  if (known === undefined) wanted.add(prefix);
  const index = fieldLines(doc.text, doc.firstLine, json, wanted);
  // As locateFindings: the field's line, else the object's.
  const objectLine = known ?? index.locate(prefix) ?? doc.firstLine;
  for (const f of checked.findings) f.fieldLine = index.locate(full(f.pathSegments)) ?? objectLine;
}
