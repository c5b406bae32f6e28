// A parsed source file (blackbox.yml, prometheus.yml, a file_sd file, alertmanager.yml) that can say where a
// value was written: every message of the import names the file and the line, so people can find it.
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';

export type YamlPath = ReadonlyArray<string | number>;

export class SourceSyntaxError extends Error {}

export class SourceFile {
  private constructor(
    readonly path: string,
    readonly data: unknown,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** Parses YAML (JSON is YAML); a syntax error names the file, line and column. */
  static parse(path: string, text: string): SourceFile {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
    const first = doc.errors[0];
    if (first) {
      const pos = lines.linePos(first.pos[0]);
      throw new SourceSyntaxError(`${path}:${pos.line}:${pos.col}: ${first.message.split('\n')[0]}`);
    }
    return new SourceFile(path, doc.toJS() ?? {}, doc, lines);
  }

  /** "file:line" of the value at `path`, or of its nearest ancestor the document has. */
  at(path: YamlPath = []): string {
    for (let depth = path.length; depth >= 0; depth--) {
      const node: unknown = depth === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) return `${this.path}:${this.lines.linePos(node.range[0]).line}`;
    }
    return this.path;
  }

  /** Like at(), but points at the key of a mapping entry (the line people look for). */
  keyAt(path: YamlPath): string {
    const parent: unknown = path.length <= 1 ? this.doc.contents : this.doc.getIn(path.slice(0, -1), true);
    const key = path[path.length - 1];
    if (isNode(parent) && 'items' in parent && Array.isArray(parent.items)) {
      for (const item of parent.items as Array<{ key?: unknown }>) {
        if (isNode(item.key) && 'value' in item.key && item.key.value === key && item.key.range) {
          return `${this.path}:${this.lines.linePos(item.key.range[0]).line}`;
        }
      }
    }
    return this.at(path);
  }
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
