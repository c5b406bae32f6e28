// One way to read YAML that Go programs also read (blackbox.yml, prometheus.yml, alertmanager.yml, file_sd
// files, rule files, promtool test files) and Periscope's own targets files, so every file means here what it
// means to Go's yaml.v3 / yaml.v2:
// - merge keys (`<<: *base`, `<<: [*a, *b]`): the mapping's own keys win, then earlier sources over later;
// - scalars resolve as yaml.v3 resolves them: only true/false are booleans (yes/on stay strings, and become
//   booleans where the field is one: go-scalars.ts), 0777 and 0o777 are octal, 0x1F hex, 1_000 is 1000, dates
//   stay strings; a plain scalar's text is kept for string fields (go-scalars.ts);
// - `!!binary` is decoded (to text, as Go decodes it into a string);
// - only the first document is read: the rest of the stream is not even parsed (Prometheus, promtool, amtool
//   and blackbox_exporter all ignore it, broken or not);
// - aliases are limited as yaml.v3 limits them: by the share of decoded nodes that come from alias expansion
//   (99 % up to 400 000 nodes, sliding to 10 % at 4 000 000), not by a count. An alias shares its anchor's
//   value (no copy), so an accepted file costs memory in proportion to its text.
// Parsing and tags are the `yaml` library's (with merge: true and a schema of yaml.v3's scalar rules); the
// conversion to plain values is ours, because the library's toJS resolves each alias by scanning every anchor
// before it (6 s for a file with 20 000 aliases) and bounds aliases by count.
import { Composer, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, Parser, Scalar, type Document } from 'yaml';
import { ConfigError } from './errors.js';
import { goString, rememberScalarText } from './go-scalars.js';
import { goTags } from './yaml-go-tags.js';

export { goNumber } from './yaml-go-tags.js';

const PARSE_OPTIONS = { merge: true, uniqueKeys: true, schema: 'core', customTags: goTags, prettyErrors: false } as const;

type YamlNode = NonNullable<Document.Parsed['contents']>;

export type YamlPath = ReadonlyArray<string | number>;

/** A file that is not YAML (or not YAML Go would read): names the file, the line and the column. */
export class YamlError extends ConfigError {
  constructor(
    file: string,
    readonly line: number | undefined,
    readonly column: number | undefined,
    readonly reason: string,
  ) {
    super(file, [{ path: '', message: `${line === undefined ? '' : `line ${line} column ${column ?? 1}: `}${reason}` }]);
    this.name = 'YamlError';
  }
}

// --- Alias limits as yaml.v3 (decode.go) -----------------------------------------------------------------

const ALIAS_RATIO_RANGE_LOW = 400_000;
const ALIAS_RATIO_RANGE_HIGH = 4_000_000;

/** yaml.v3's allowedAliasRatio: the share of decoded nodes that may come from alias expansion. */
export function allowedAliasRatio(decodeCount: number): number {
  if (decodeCount <= ALIAS_RATIO_RANGE_LOW) return 0.99;
  if (decodeCount >= ALIAS_RATIO_RANGE_HIGH) return 0.1;
  return 0.99 - 0.89 * ((decodeCount - ALIAS_RATIO_RANGE_LOW) / (ALIAS_RATIO_RANGE_HIGH - ALIAS_RATIO_RANGE_LOW));
}

/** yaml.v3's parser refuses deeper nesting ("exceeded max depth of 10000"). */
const MAX_DEPTH = 10_000;

class Failure extends Error {
  constructor(
    readonly node: unknown,
    message: string,
  ) {
    super(message);
  }
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && typeof key.value === 'symbol' && key.value.description === '<<';
}

const anchorName = (node: unknown): string => String((node as { anchor?: string; source?: string }).anchor ?? (node as { source?: string }).source);

/** Plain values from the document's nodes, with yaml.v3's merge rules and alias accounting. */
class Converter {
  private decodeCount = 0;
  private aliasCount = 0;
  /** While an anchor's value is built for an alias that counted it already. */
  private muted = 0;
  /** Nodes each node decodes to, aliases expanded (yaml.v3 decodes an alias's target again each time). */
  private readonly sizes = new Map<unknown, number>();
  private readonly sizing = new Set<unknown>();
  private readonly values = new Map<unknown, unknown>();
  private readonly building = new Set<unknown>();

  constructor(private readonly targets: ReadonlyMap<unknown, YamlNode>) {}

  private count(node: unknown, nodes: number, fromAliases: number): void {
    if (this.muted > 0) return;
    this.decodeCount += nodes;
    this.aliasCount += fromAliases;
    if (this.aliasCount > 100 && this.decodeCount > 1000 && this.aliasCount / this.decodeCount > allowedAliasRatio(this.decodeCount)) {
      const share = Math.round(allowedAliasRatio(this.decodeCount) * 100);
      throw new Failure(node, `document contains excessive aliasing: more than ${share} % of the ${this.decodeCount} nodes decoded so far come from aliases (Go's yaml.v3 refuses it too)`);
    }
  }

  private target(alias: unknown): YamlNode {
    const target = this.targets.get(alias);
    if (!target) throw new Failure(alias, `unknown anchor '${anchorName(alias)}' referenced`);
    return target;
  }

  /** How many nodes yaml.v3 decodes for this node, aliases expanded (memoised). */
  private size(node: unknown, depth: number): number {
    const known = this.sizes.get(node);
    if (known !== undefined) return known;
    if (depth > MAX_DEPTH) throw new Failure(node, `exceeded max depth of ${MAX_DEPTH}`);
    if (this.sizing.has(node)) throw new Failure(node, `anchor '${anchorName(node)}' value contains itself`);
    this.sizing.add(node);
    let total = 1;
    if (isAlias(node)) total += this.size(this.target(node), depth + 1);
    else if (isSeq(node)) for (const item of node.items) total += this.size(item, depth + 1);
    else if (isMap(node)) {
      for (const pair of node.items) {
        if (!isMergeKey(pair.key)) total += this.size(pair.key, depth + 1) + this.size(pair.value, depth + 1);
        else if (isSeq(pair.value)) for (const item of pair.value.items) total += this.size(item, depth + 1);
        else total += this.size(pair.value, depth + 1);
      }
    }
    this.sizing.delete(node);
    this.sizes.set(node, total);
    return total;
  }

  convert(node: unknown, depth = 0): unknown {
    if (depth > MAX_DEPTH) throw new Failure(node, `exceeded max depth of ${MAX_DEPTH}`);
    if (isAlias(node)) {
      const target = this.target(node);
      if (this.building.has(target)) throw new Failure(node, `anchor '${anchorName(node)}' value contains itself`);
      // The alias node, then its target decoded again with every node counted as coming from an alias.
      const expanded = this.size(target, depth);
      this.count(node, 1 + expanded, expanded);
      if (this.values.has(target)) return this.values.get(target);
      this.muted++;
      try {
        return this.build(target, depth);
      } finally {
        this.muted--;
      }
    }
    this.count(node, 1, 0);
    return this.build(node, depth);
  }

  private build(node: unknown, depth: number): unknown {
    if (node === null || node === undefined) return null;
    this.building.add(node);
    let value: unknown;
    if (isScalar(node)) value = node.value instanceof Date ? String(node.source) : node.value;
    else if (isSeq(node)) {
      const list: unknown[] = [];
      node.items.forEach((item, index) => {
        list.push(this.convert(item, depth + 1));
        this.rememberText(list, index, item);
      });
      value = list;
    } else if (isMap(node)) value = this.mapping(node, depth);
    else throw new Failure(node, 'unexpected YAML node');
    this.building.delete(node);
    if ((node as { anchor?: string }).anchor) this.values.set(node, value);
    return value;
  }

  /** A plain scalar that is not a string keeps its text for Go string fields (go-scalars.ts). */
  private rememberText(container: object, key: string | number, node: unknown): void {
    const scalar = isAlias(node) ? this.targets.get(node) : node;
    if (!isScalar(scalar) || typeof scalar.value === 'string' || typeof scalar.source !== 'string') return;
    if (scalar.type && scalar.type !== Scalar.PLAIN) return;
    if (scalar.source !== String(scalar.value)) rememberScalarText(container, key, scalar.source);
  }

  private keyOf(node: unknown): string {
    if (isAlias(node)) return this.keyOf(this.target(node));
    if (!isScalar(node)) throw new Failure(node, 'a mapping key must be a scalar (Go cannot decode a mapping or a list as a key)');
    const value = node.value;
    if (typeof value === 'string') return value;
    if (value === null) return '';
    return typeof node.source === 'string' ? node.source : String(value);
  }

  private mapping(node: { items: unknown[] }, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    // defineProperty: a key named __proto__ is data, not the object's prototype.
    const set = (key: string, value: unknown): void => void Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
    const merges: unknown[] = [];
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      if (isMergeKey(pair.key)) {
        merges.push(pair.value);
        continue;
      }
      this.count(pair.key, 1, 0);
      const key = this.keyOf(pair.key);
      set(key, this.convert(pair.value, depth + 1));
      this.rememberText(out, key, pair.value);
    }
    // yaml.v3: the mapping's own keys win wherever the merge key is; among merge sources the first wins.
    for (const merge of merges) {
      for (const source of isSeq(merge) ? merge.items : [merge]) {
        if (!isMap(isAlias(source) ? this.target(source) : source)) throw new Failure(source, 'map merge requires map or sequence of maps as the value');
        const merged = this.convert(source, depth + 1) as Record<string, unknown>;
        for (const key of Object.keys(merged)) {
          if (Object.prototype.hasOwnProperty.call(out, key)) continue;
          set(key, merged[key]);
          const value = merged[key];
          const text = value !== null && typeof value === 'object' ? undefined : goString(merged, key);
          if (text !== undefined && text !== String(value)) rememberScalarText(out, key, text);
        }
      }
    }
    return out;
  }
}

// --- Reading a file ----------------------------------------------------------------------------------------

/** The first document of a YAML file, as data, with the line of every value for messages. */
export class YamlFile {
  private constructor(
    readonly file: string,
    /** The first document's value; null for an empty document. */
    readonly data: unknown,
    /** False when the stream has no document at all (empty, or only comments): blackbox_exporter refuses that. */
    readonly hasDocument: boolean,
    private readonly root: YamlNode | null,
    private readonly lines: LineCounter,
    private readonly targets: ReadonlyMap<unknown, YamlNode>,
  ) {}

  /** Parses the first document; a syntax error, a bad tag or excessive aliasing is a YamlError. */
  static parse(text: string, file: string): YamlFile {
    const lines = new LineCounter();
    const fail = (offset: number | undefined, message: string): YamlError => {
      const pos = offset === undefined ? undefined : lines.linePos(offset);
      return new YamlError(file, pos?.line, pos?.col, message.split('\n')[0] ?? message);
    };
    let doc: Document.Parsed | undefined;
    try {
      const parser = new Parser(lines.addNewLine);
      const composer = new Composer(PARSE_OPTIONS);
      for (const first of composer.compose(parser.parse(text), false, text.length)) {
        doc = first;
        break; // later documents are neither parsed nor checked, as in Go
      }
    } catch (err) {
      if (err instanceof RangeError) throw fail(undefined, 'nesting too deep');
      throw err;
    }
    if (!doc) return new YamlFile(file, null, false, null, lines, new Map());
    const error = doc.errors[0];
    if (error?.code === 'DUPLICATE_KEY') {
      const line = text.slice(error.pos[0]).split('\n')[0] ?? '';
      const key = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^:#,{}]+?)\s*:/.exec(line)?.[1]?.replace(/^["']|["']$/g, '');
      throw fail(error.pos[0], key === undefined ? 'a mapping key is defined twice in the same mapping' : `mapping key ${JSON.stringify(key)} is defined twice in the same mapping`);
    }
    if (error) throw fail(error.pos[0], error.message);
    const root = doc.contents as YamlNode | null;
    const targets = aliasTargets(root);
    try {
      const data = new Converter(targets).convert(root);
      return new YamlFile(file, data, true, root, lines, targets);
    } catch (err) {
      if (err instanceof Failure) throw fail((err.node as { range?: [number, number, number] | null } | null)?.range?.[0], err.message);
      if (err instanceof RangeError) throw fail(undefined, 'nesting too deep');
      throw err;
    }
  }

  /** The node of the value at `path`, following aliases and merge keys as the data does. */
  private nodeAt(path: YamlPath): { node: unknown; key?: unknown } | undefined {
    let node: unknown = this.root;
    let key: unknown;
    for (const part of path) {
      node = this.deref(node);
      const found = this.child(node, part);
      if (!found) return undefined;
      ({ node, key } = found);
    }
    return { node, key };
  }

  private deref(node: unknown): unknown {
    for (let hops = 0; isAlias(node) && hops < 1000; hops++) node = this.targets.get(node);
    return node;
  }

  private child(node: unknown, part: string | number): { node: unknown; key?: unknown } | undefined {
    if (isSeq(node)) return typeof part === 'number' && part < node.items.length ? { node: node.items[part] } : undefined;
    if (!isMap(node)) return undefined;
    const merges: unknown[] = [];
    for (const pair of node.items) {
      if (isMergeKey(pair.key)) merges.push(pair.value);
      else if (isScalar(pair.key) && (pair.key.value === part || pair.key.source === String(part))) return { node: pair.value, key: pair.key };
    }
    for (const merge of merges) {
      for (const source of isSeq(merge) ? merge.items : [merge]) {
        const found = this.child(this.deref(source), part);
        if (found) return found;
      }
    }
    return undefined;
  }

  private lineOf(node: unknown): number | undefined {
    const range = (node as { range?: [number, number, number] | null } | null)?.range;
    return range ? this.lines.linePos(range[0]).line : undefined;
  }

  /** Line of the value at `path`, or of its nearest ancestor the document has. */
  lineAt(path: YamlPath = []): number | undefined {
    for (let depth = path.length; depth >= 0; depth--) {
      const line = this.lineOf(this.nodeAt(path.slice(0, depth))?.node);
      if (line !== undefined) return line;
    }
    return undefined;
  }

  /** Line of the key of the mapping entry at `path` (where people look), else lineAt(path). */
  keyLineAt(path: YamlPath): number | undefined {
    return this.lineOf(this.nodeAt(path)?.key) ?? this.lineAt(path);
  }
}

/** Each alias node → the node its anchor names: the last anchor of that name before it, in document order. */
function aliasTargets(root: YamlNode | null): Map<unknown, YamlNode> {
  const anchors = new Map<string, YamlNode>();
  const targets = new Map<unknown, YamlNode>();
  const stack: unknown[] = [root];
  // Iterative, in document order: anchors are defined before they are used.
  while (stack.length > 0) {
    const node = stack.pop();
    if (isPair(node)) {
      stack.push(node.value, node.key);
      continue;
    }
    if (!node || typeof node !== 'object') continue;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target) targets.set(node, target);
      continue;
    }
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor) anchors.set(anchor, node as YamlNode);
    if (isSeq(node) || isMap(node)) for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
  }
  return targets;
}

/** The first document's data ({} for an empty file, as before), every failure a ConfigError naming the file. */
export function parseYaml(text: string, file: string): unknown {
  return YamlFile.parse(text, file).data ?? {};
}
