/**
 * Field paths wanted in one document, as a tree of their segments, each node carrying the line
 * where that field was found. The line scanners (yaml-lines.ts, json-lines.ts) fill in only the
 * nodes the tree has, so a document is read once for all its findings.
 */
export type FieldPath = ReadonlyArray<string | number>;

export class PathTrie {
  /** Line of this field, once a scan found it. */
  public line: number | undefined;
  /** Segments below this one (a number is a sequence index, a string a mapping key). */
  public children: Map<string | number, PathTrie> | undefined;

  /** The child for `segment`, added when missing. */
  public grow(segment: string | number): PathTrie {
    this.children ??= new Map();
    let child = this.children.get(segment);
    if (!child) {
      child = new PathTrie();
      this.children.set(segment, child);
    }
    return child;
  }

  public add(path: FieldPath): void {
    let node: PathTrie = this;
    for (const segment of path) node = node.grow(segment);
  }

  /** Line of the deepest field along `path` that was found, `rootLine` when none was. */
  public lineOf(path: FieldPath, rootLine: number | undefined): number | undefined {
    let found = rootLine;
    let node: PathTrie | undefined = this;
    for (const segment of path) {
      node = node.children?.get(segment);
      if (node === undefined || node.line === undefined) break;
      found = node.line;
    }
    return found;
  }
}
