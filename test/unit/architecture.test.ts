// Rules of the code's shape that review alone would let slip: the CLI runs without the Lambda wiring, and
// VictoriaMetrics is reached through its one client. Read from the sources with TypeScript's parser, so
// comments and type-only imports do not count.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CLIENT_DIR = 'shared/victoria-metrics/';
/** The one other module allowed to call fetch: it posts to Slack webhooks, not to VictoriaMetrics. */
const OTHER_FETCH_USERS = new Set(['shared/notify/slack-post.ts']);

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

const parsed = new Map<string, ts.SourceFile>();
function parse(file: string): ts.SourceFile {
  let source = parsed.get(file);
  if (!source) {
    source = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
    parsed.set(file, source);
  }
  return source;
}

/** Modules a file loads at run time (`import type` and type-only specifiers left out), as repo paths. */
function runtimeImports(file: string): string[] {
  const out: string[] = [];
  for (const statement of parse(file).statements) {
    if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) || !statement.moduleSpecifier) continue;
    if (ts.isImportDeclaration(statement) && statement.importClause?.isTypeOnly) continue;
    if (ts.isExportDeclaration(statement) && statement.isTypeOnly) continue;
    const spec = (statement.moduleSpecifier as ts.StringLiteral).text;
    if (spec.startsWith('.')) out.push(relative(ROOT, resolve(ROOT, dirname(file), spec)).replace(/\.js$/, '.ts'));
  }
  return out;
}

/** Every repo module reachable at run time from `entries`, with the first path that reaches each. */
function reachable(entries: readonly string[]): Map<string, string[]> {
  const paths = new Map<string, string[]>(entries.map((e) => [e, [e]]));
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    for (const next of runtimeImports(file)) {
      if (paths.has(next)) continue;
      paths.set(next, [...(paths.get(file) as string[]), next]);
      queue.push(next);
    }
  }
  return paths;
}

/** A string literal or template piece that is a VictoriaMetrics endpoint path: /api/v1/…, /internal/…. */
const VM_PATH = /^(\/[\w.-]+)*\/(api\/v1|internal)\/[\w/]*$/;

function findings(file: string): { fetches: number[]; vmPaths: string[] } {
  const fetches: number[] = [];
  const vmPaths: string[] = [];
  const source = parse(file);
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression.getText(source);
      if (callee === 'fetch' || callee === 'globalThis.fetch') fetches.push(source.getLineAndCharacterOfPosition(node.getStart()).line + 1);
    }
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      if (VM_PATH.test(node.text)) vmPaths.push(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { fetches, vmPaths };
}

const PRODUCTION = [...sourceFiles('shared'), ...sourceFiles('cli'), ...sourceFiles('functions')];

describe('architecture', () => {
  it('the CLI loads nothing from shared/aws (the Lambda wiring), directly or through another module', () => {
    const paths = reachable(sourceFiles('cli'));
    const aws = [...paths].filter(([file]) => file.startsWith('shared/aws/')).map(([, path]) => path.join(' → '));
    expect(aws).toEqual([]);
    // The check sees the CLI's real imports (it would be empty, and pass, on a broken walk).
    expect(paths.has('shared/victoria-metrics/index.ts')).toBe(true);
  });

  it('only the VictoriaMetrics client builds VictoriaMetrics URLs or calls fetch', () => {
    const offenders: string[] = [];
    for (const file of PRODUCTION) {
      if (file.startsWith(CLIENT_DIR)) continue;
      const { fetches, vmPaths } = findings(file);
      if (!OTHER_FETCH_USERS.has(file)) for (const line of fetches) offenders.push(`${file}:${line} calls fetch`);
      for (const path of vmPaths) offenders.push(`${file} builds the VictoriaMetrics path ${path}`);
    }
    expect(offenders).toEqual([]);
  });

  it('recognises what it forbids (the client builds the paths; the Slack poster calls fetch)', () => {
    // The client itself sends with node:http (Node's fetch costs a cold start ~55 ms on its first call).
    expect(findings('shared/notify/slack-post.ts').fetches.length).toBeGreaterThan(0);
    expect(findings('shared/victoria-metrics/query.ts').vmPaths).toContain('/api/v1/query_range');
    expect(findings('shared/victoria-metrics/admin.ts').vmPaths).toContain('/internal/force_flush');
  });
});
