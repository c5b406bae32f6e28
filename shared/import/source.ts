// A parsed source file (blackbox.yml, prometheus.yml, a file_sd file, alertmanager.yml) that can say where a
// value was written: every message of the import names the file and the line, so people can find it. Read as
// the Go programs read them (config/yaml.ts): merge keys, the first document, aliases bounded by their share;
// a line through an alias or a merge key is the line the value is written on.
import { YamlError, YamlFile, type YamlPath } from '../config/yaml.js';

export type { YamlPath };

export class SourceSyntaxError extends Error {}

export class SourceFile {
  private constructor(
    readonly path: string,
    readonly data: unknown,
    /** False when the file holds no YAML document at all (empty, or only comments). */
    readonly hasDocument: boolean,
    private readonly yaml: YamlFile,
  ) {}

  /** Parses YAML (JSON is YAML); a syntax error names the file, line and column. */
  static parse(path: string, text: string): SourceFile {
    try {
      const yaml = YamlFile.parse(text, path);
      return new SourceFile(path, yaml.data ?? {}, yaml.hasDocument, yaml);
    } catch (err) {
      if (err instanceof YamlError) throw new SourceSyntaxError(`${path}:${err.line ?? 1}:${err.column ?? 1}: ${err.reason}`);
      throw err;
    }
  }

  /** "file:line" of the value at `path`, or of its nearest ancestor the document has. */
  at(path: YamlPath = []): string {
    const line = this.yaml.lineAt(path);
    return line === undefined ? this.path : `${this.path}:${line}`;
  }

  /** Like at(), but points at the key of a mapping entry (the line people look for). */
  keyAt(path: YamlPath): string {
    const line = this.yaml.keyLineAt(path);
    return line === undefined ? this.path : `${this.path}:${line}`;
  }
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
