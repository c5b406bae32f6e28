// The checks Go's text/template leaves to execution time but that are certain to fail there (wrong argument
// counts, fields on numbers, unknown fields of the alert data, invalid literal regular expressions), made
// while parsing, so `periscope validate` rejects such a rule before the alert fires.
import type { Arg, Command } from './ast.js';
import { RegexEngineNotLoadedError } from '../../regex/index.js';
import { goRegex, type FuncDef } from './functions.js';
import type { Token } from './lexer.js';
import type { Fail } from './literals.js';
import { ROOT_FIELDS } from './values.js';

/** What a variable or the dot is known to hold, for the static checks. */
export type Kind = 'root' | 'map' | 'number' | 'string' | 'unknown';

export interface VarEntry {
  readonly name: string;
  readonly kind: Kind;
  /** Assigned with "=" somewhere: its kind is no longer known. */
  assigned: boolean;
}

/** The variables every alert template starts with (Prometheus defines them the same way). */
export const PREDEFINED_VARIABLES: ReadonlyArray<readonly [string, Kind]> = [
  ['$', 'root'],
  ['$value', 'number'],
  ['$labels', 'map'],
  ['$externalLabels', 'map'],
  ['$externalURL', 'string'],
  // vmalert's
  ['$expr', 'string'],
  ['$activeAt', 'unknown'],
  ['$for', 'unknown'],
  ['$interval', 'unknown'],
  ['$type', 'string'],
  ['$isPartial', 'unknown'],
];

/** Variables of Prometheus or vmalert that cannot work here, with the reason given to the author. */
export const UNSUPPORTED_VARIABLES: ReadonlyMap<string, string> = new Map([
  ['$alertID', "vmalert's alert ID links to vmalert's own UI, which Periscope does not have"],
  ['$groupID', "vmalert's group ID links to vmalert's own UI, which Periscope does not have"],
]);

/** The variables in scope while parsing: the predefined ones, then each declaration until its block ends. */
export class VariableScope {
  private readonly vars: VarEntry[] = PREDEFINED_VARIABLES.map(([name, kind]) => ({ name, kind, assigned: false }));

  lookup(name: string): VarEntry | undefined {
    for (let j = this.vars.length - 1; j >= 0; j--) {
      const v = this.vars[j] as VarEntry;
      if (v.name === name) return v;
    }
    return undefined;
  }

  /** The variable a token names; an undefined one is an error, with the nearest known name. */
  use(t: Token, fail: Fail): VarEntry {
    const entry = this.lookup(t.val);
    if (!entry) {
      const why = UNSUPPORTED_VARIABLES.get(t.val);
      if (why) fail(t.pos, `variable "${t.val}" is not supported by Periscope: ${why}`);
      const known = new Set(this.vars.map((v) => v.name).filter((n) => n !== '$'));
      fail(t.pos, `undefined variable "${t.val}"${suggestion(t.val, known)}`);
    }
    return entry;
  }

  /** `$x := …` declares a variable of unknown kind; `$x = …` makes an existing one's kind unknown. */
  declare(v: Token, isAssign: boolean, fail: Fail): void {
    if (isAssign) {
      this.use(v, fail).assigned = true;
      return;
    }
    this.vars.push({ name: v.val, kind: 'unknown', assigned: false });
  }

  /** Where the scope stands, to return to when a block ends. */
  mark(): number {
    return this.vars.length;
  }

  reset(mark: number): void {
    this.vars.length = mark;
  }
}

const ROOT_FIELD_KINDS: Readonly<Record<string, Kind>> = {
  Value: 'number',
  Labels: 'map',
  ExternalLabels: 'map',
  Expr: 'string',
  ExternalURL: 'string',
  ActiveAt: 'unknown',
  For: 'unknown',
  Interval: 'unknown',
  Type: 'string',
  IsPartial: 'unknown',
};

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] as number;
      row[j] = Math.min(cur + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] as number;
}

/** " (did you mean …?)" for a near miss among `candidates`, else nothing. */
export function suggestion(name: string, candidates: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = c.toLowerCase() === name.toLowerCase() ? 0 : levenshtein(name, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}

/** What the checks need of the parser's state. */
export interface CheckContext {
  fail: Fail;
  /** What the dot holds where the check is made. */
  dotKind(): Kind;
  lookupVar(name: string): VarEntry | undefined;
  /** Runs `check` once the whole template is read. */
  defer(check: () => void): void;
}

export class StaticChecks {
  constructor(private readonly ctx: CheckContext) {}

  /** The checks on one pipeline stage that Go would only fail at execution time. */
  checkCommand(cmd: Command, stage: number): void {
    const first = cmd.args[0] as Arg;
    const piped = stage > 0;
    const hasArgs = cmd.args.length > 1 || piped;
    switch (first.type) {
      case 'func':
        this.checkCall(first, cmd.args.length - 1 + (piped ? 1 : 0));
        this.checkRegexLiteral(first.fn, cmd.args);
        break;
      case 'nil':
        this.ctx.fail(first.pos, 'nil is not a command');
        break;
      case 'const':
      case 'dot':
      case 'pipe':
        if (piped) this.ctx.fail(first.pos, `non executable command in pipeline stage ${stage + 1}`);
        if (hasArgs) this.ctx.fail((cmd.args[1] as Arg).pos, `can't give argument to non-function ${describeArg(first)}`);
        break;
      case 'variable':
        if (first.idents.length === 0 && hasArgs) {
          this.ctx.fail(piped ? first.pos : (cmd.args[1] as Arg).pos, `can't give argument to non-function ${first.name}`);
        }
        this.checkVariableFields(first, hasArgs);
        break;
      case 'field':
        this.checkFields(this.ctx.dotKind(), first.idents, hasArgs, first.pos, '');
        break;
      case 'chain':
        break;
    }
    for (const arg of cmd.args.slice(1)) this.checkOperand(arg);
  }

  checkOperand(arg: Arg): void {
    switch (arg.type) {
      case 'func':
        this.checkCall(arg, 0);
        break;
      case 'variable':
        this.checkVariableFields(arg, false);
        break;
      case 'field':
        this.checkFields(this.ctx.dotKind(), arg.idents, false, arg.pos, '');
        break;
      default:
        break;
    }
  }

  checkCall(arg: Extract<Arg, { type: 'func' }>, count: number): void {
    const { min, max } = arg.fn;
    if (count >= min && count <= max) return;
    const want = min === max ? `${min}` : count < min ? `at least ${min}` : `at most ${max}`;
    this.ctx.fail(arg.pos, `wrong number of args for ${arg.name}: want ${want} got ${count}`);
  }

  checkRegexLiteral(fn: FuncDef, args: readonly Arg[]): void {
    if (fn.regexArg === undefined) return;
    const pattern = args[fn.regexArg + 1];
    if (pattern?.type !== 'const' || typeof pattern.value !== 'string') return;
    try {
      goRegex(pattern.value);
    } catch (err) {
      if (err instanceof RegexEngineNotLoadedError) throw err;
      this.ctx.fail(pattern.pos, (err as Error).message);
    }
  }

  checkVariableFields(arg: Extract<Arg, { type: 'variable' }>, hasArgs: boolean): void {
    if (arg.idents.length === 0) return;
    const entry = this.ctx.lookupVar(arg.name) as VarEntry;
    // Later assignments may change what the variable holds, so judge once the whole template is read.
    this.ctx.defer(() => {
      if (!entry.assigned) this.checkFields(entry.kind, arg.idents, hasArgs, arg.pos, arg.name);
    });
  }

  checkFields(kind: Kind, idents: readonly string[], hasArgs: boolean, pos: number, base: string): void {
    let path = base;
    for (let j = 0; j < idents.length; j++) {
      const ident = idents[j] as string;
      const last = j === idents.length - 1;
      switch (kind) {
        case 'root': {
          const next = ROOT_FIELD_KINDS[ident];
          if (next === undefined) {
            this.ctx.fail(pos, `can't evaluate field ${ident} of the alert data${suggestion(ident, ROOT_FIELDS)}; its fields are ${ROOT_FIELDS.join(', ')}`);
          }
          if (last && hasArgs) this.ctx.fail(pos, `${ident} is a field, not a method: it takes no arguments`);
          kind = next;
          break;
        }
        case 'map':
          if (last && hasArgs) this.ctx.fail(pos, `${path}.${ident} is a label, not a method: it takes no arguments`);
          kind = 'string';
          break;
        case 'number':
        case 'string':
          this.ctx.fail(pos, `can't evaluate field ${ident} in type ${kind === 'number' ? 'float64' : 'string'}${path ? ` (${path} is a ${kind === 'number' ? 'number' : 'string'})` : ''}`);
          break;
        case 'unknown':
          return;
      }
      path += '.' + ident;
    }
  }
}

function describeArg(arg: Arg): string {
  switch (arg.type) {
    case 'const':
      return arg.text;
    case 'dot':
      return '.';
    default:
      return '(pipeline)';
  }
}
