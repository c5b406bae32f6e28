// Parser following Go's text/template/parse/parse.go, plus the checks Go leaves to execution time that
// are certain to fail (wrong argument counts, fields on numbers, unknown fields of the alert data, invalid
// literal regular expressions), so `periscope validate` rejects such a rule before the alert fires.
import type { Arg, Command, ControlNode, Node, Pipe } from './ast.js';
import { templateError } from './errors.js';
import { RegexEngineNotLoadedError } from '../../regex/index.js';
import { FUNCTIONS, goRegex, UNSUPPORTED, type FuncDef } from './functions.js';
import { lex, type Token, type TokenType } from './lexer.js';
import { ROOT_FIELDS } from './values.js';

/** What a variable or the dot is known to hold, for the static checks. */
type Kind = 'root' | 'map' | 'number' | 'string' | 'unknown';

interface VarEntry {
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
  ['$expr', 'string'],
];

const ROOT_FIELD_KINDS: Readonly<Record<string, Kind>> = { Value: 'number', Labels: 'map', ExternalLabels: 'map', Expr: 'string' };

type Marker = { readonly type: 'end'; readonly pos: number } | { readonly type: 'else'; readonly pos: number };

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

function suggestion(name: string, candidates: Iterable<string>): string {
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

function describeToken(t: Token): string {
  switch (t.type) {
    case 'eof':
      return 'end of template';
    case 'rightDelim':
      return '"}}"';
    case 'keyword':
      return `{{${t.val}}}`;
    default:
      return JSON.stringify(t.val.length > 10 ? t.val.slice(0, 10) + '…' : t.val);
  }
}

const MAX_DEPTH = 100;

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };

class Parser {
  private i = 0;
  private readonly vars: VarEntry[] = PREDEFINED_VARIABLES.map(([name, kind]) => ({ name, kind, assigned: false }));
  private readonly dotKinds: Kind[] = ['root'];
  private rangeDepth = 0;
  /** Nesting of parentheses and control structures, bounded so a hostile template cannot overflow the stack. */
  private depth = 0;
  private readonly deferred: Array<() => void> = [];

  constructor(
    private readonly text: string,
    private readonly tokens: readonly Token[],
  ) {}

  private fail(pos: number, reason: string): never {
    throw templateError(this.text, pos, reason);
  }

  private next(): Token {
    const t = this.tokens[this.i] as Token;
    if (t.type !== 'eof') this.i++;
    return t;
  }

  private peek(): Token {
    return this.tokens[this.i] as Token;
  }

  private backup(): void {
    this.i--;
  }

  private nextNonSpace(): Token {
    let t = this.next();
    while (t.type === 'space') t = this.next();
    return t;
  }

  private peekNonSpace(): Token {
    let j = this.i;
    while ((this.tokens[j] as Token).type === 'space') j++;
    return this.tokens[j] as Token;
  }

  private unexpected(t: Token, context: string): never {
    if (t.type === 'eof') return this.fail(t.pos, `unclosed action in ${context}`);
    return this.fail(t.pos, `unexpected ${describeToken(t)} in ${context}`);
  }

  private expect(type: TokenType, context: string): Token {
    const t = this.nextNonSpace();
    if (t.type !== type) this.unexpected(t, context);
    return t;
  }

  parse(): Node[] {
    const nodes: Node[] = [];
    while (this.peek().type !== 'eof') {
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') this.fail(n.pos, `unexpected {{${n.type}}}`);
      else nodes.push(n);
    }
    for (const check of this.deferred) check();
    return nodes;
  }

  private textOrAction(): Node | Marker {
    const t = this.nextNonSpace();
    if (t.type === 'text') return { type: 'text', text: t.val };
    if (t.type === 'leftDelim') return this.action(t.pos);
    return this.unexpected(t, 'input');
  }

  /** Nodes up to the {{end}} or {{else}} that closes the control opened at openPos. */
  private itemList(context: string, openPos: number): [Node[], Marker] {
    const list: Node[] = [];
    while (this.peekNonSpace().type !== 'eof') {
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') return [list, n];
      else list.push(n);
    }
    return this.fail(openPos, `{{${context}}} is never closed: missing {{end}}`);
  }

  private action(delimPos: number): Node | Marker {
    const t = this.nextNonSpace();
    if (t.type === 'keyword') {
      switch (t.val) {
        case 'if':
        case 'with':
        case 'range':
          return this.control(t.val, delimPos);
        case 'else': {
          const p = this.peekNonSpace();
          // "{{else if …}}" and "{{else with …}}" leave the keyword for the enclosing control.
          if (!(p.type === 'keyword' && (p.val === 'if' || p.val === 'with'))) this.expect('rightDelim', 'else');
          return { type: 'else', pos: delimPos };
        }
        case 'end':
          this.expect('rightDelim', 'end');
          return { type: 'end', pos: delimPos };
        case 'break':
        case 'continue':
          if (this.rangeDepth === 0) this.fail(t.pos, `{{${t.val}}} outside {{range}}`);
          this.expect('rightDelim', t.val);
          return { type: t.val, pos: delimPos };
        default:
          return this.fail(t.pos, `{{${t.val}}} is not supported: alert templates have no named templates`);
      }
    }
    this.backup();
    return { type: 'action', pos: delimPos, pipe: this.pipeline('command', 'rightDelim') };
  }

  private control(context: 'if' | 'with' | 'range', pos: number): ControlNode {
    if (++this.depth > MAX_DEPTH) this.fail(pos, `template is nested more than ${MAX_DEPTH} levels deep`);
    try {
      return this.controlBody(context, pos);
    } finally {
      this.depth--;
    }
  }

  private controlBody(context: 'if' | 'with' | 'range', pos: number): ControlNode {
    const mark = this.vars.length;
    const pipe = this.pipeline(context, 'rightDelim');
    if (context === 'range') this.rangeDepth++;
    this.dotKinds.push(context === 'if' ? (this.dotKinds.at(-1) as Kind) : 'unknown');
    const [list, next] = this.itemList(context, pos);
    this.dotKinds.pop();
    if (context === 'range') this.rangeDepth--;
    let elseList: Node[] | undefined;
    if (next.type === 'else') {
      const p = this.peekNonSpace();
      if (p.type === 'keyword' && (p.val === 'if' || p.val === 'with')) {
        if (p.val !== context) this.fail(p.pos, `{{else ${p.val}}} can only follow {{${p.val}}}`);
        this.nextNonSpace();
        elseList = [this.control(context, next.pos)];
      } else {
        const [list2, end] = this.itemList(context, pos);
        if (end.type !== 'end') this.fail(end.pos, `expected {{end}}; found {{else}}`);
        elseList = list2;
      }
    }
    this.vars.length = mark;
    return { type: context, pos, pipe, list, elseList };
  }

  private lookupVar(name: string): VarEntry | undefined {
    for (let j = this.vars.length - 1; j >= 0; j--) {
      const v = this.vars[j] as VarEntry;
      if (v.name === name) return v;
    }
    return undefined;
  }

  private useVar(t: Token): VarEntry {
    const entry = this.lookupVar(t.val);
    if (!entry) {
      const known = new Set(this.vars.map((v) => v.name).filter((n) => n !== '$'));
      this.fail(t.pos, `undefined variable "${t.val}"${suggestion(t.val, known)}`);
    }
    return entry;
  }

  private pipeline(context: string, end: 'rightDelim' | 'rightParen'): Pipe {
    const pos = this.peekNonSpace().pos;
    if (++this.depth > MAX_DEPTH) this.fail(pos, `template is nested more than ${MAX_DEPTH} levels deep`);
    try {
      return this.pipelineBody(context, end, pos);
    } finally {
      this.depth--;
    }
  }

  private pipelineBody(context: string, end: 'rightDelim' | 'rightParen', pos: number): Pipe {
    const decl: string[] = [];
    let isAssign = false;
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== 'variable') break;
      const before = this.i;
      this.nextNonSpace();
      const after = this.peekNonSpace();
      if (after.type === 'assign' || after.type === 'declare') {
        isAssign = after.type === 'assign';
        this.nextNonSpace();
        this.declare(v, isAssign);
        decl.push(v.val);
        break;
      }
      if (after.type === 'char' && after.val === ',') {
        this.nextNonSpace();
        this.declare(v, false);
        decl.push(v.val);
        if (context === 'range' && decl.length < 2) {
          const p = this.peekNonSpace();
          if (p.type === 'variable' || p.type === 'rightDelim' || p.type === 'rightParen') continue;
          this.fail(p.pos, 'range can only initialize variables');
        }
        this.fail(after.pos, `too many declarations in ${context}`);
      }
      this.i = before;
      break;
    }
    const cmds: Command[] = [];
    let pipeFollows = false;
    for (;;) {
      const t = this.nextNonSpace();
      if (t.type === end) {
        if (pipeFollows) this.fail(t.pos, 'missing command after "|"');
        if (cmds.length === 0) this.fail(t.pos, `missing value for ${context}`);
        return { pos, decl, isAssign, cmds };
      }
      switch (t.type) {
        case 'bool':
        case 'charConstant':
        case 'dot':
        case 'field':
        case 'identifier':
        case 'number':
        case 'nil':
        case 'rawString':
        case 'string':
        case 'variable':
        case 'leftParen': {
          this.backup();
          const [cmd, pipeAfter] = this.command();
          this.checkCommand(cmd, cmds.length);
          cmds.push(cmd);
          pipeFollows = pipeAfter;
          break;
        }
        default:
          this.unexpected(t, context);
      }
    }
  }

  private declare(v: Token, isAssign: boolean): void {
    if (isAssign) {
      this.useVar(v).assigned = true;
      return;
    }
    this.vars.push({ name: v.val, kind: 'unknown', assigned: false });
  }

  /** One command; also says whether a "|" followed it. */
  private command(): [Command, boolean] {
    const pos = this.peekNonSpace().pos;
    const args: Arg[] = [];
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) args.push(operand);
      const t = this.next();
      if (t.type === 'space') continue;
      if (t.type === 'rightDelim' || t.type === 'rightParen') {
        this.backup();
        break;
      }
      if (t.type === 'pipe') {
        if (args.length === 0) this.fail(t.pos, 'missing command before "|"');
        return [{ pos, args }, true];
      }
      this.unexpected(t, 'operand');
    }
    if (args.length === 0) this.fail(pos, 'empty command');
    return [{ pos, args }, false];
  }

  private operand(): Arg | undefined {
    const node = this.term();
    if (!node) return undefined;
    if (this.peek().type !== 'field') return node;
    const idents: string[] = [];
    while (this.peek().type === 'field') idents.push(this.next().val.slice(1));
    switch (node.type) {
      case 'field':
        return { ...node, idents: [...node.idents, ...idents] };
      case 'variable':
        return { ...node, idents: [...node.idents, ...idents] };
      case 'const':
        return this.fail(node.pos, `unexpected . after term ${JSON.stringify(node.text)}`);
      case 'nil':
      case 'dot':
        return this.fail(node.pos, `unexpected . after term "${node.type === 'nil' ? 'nil' : '.'}"`);
      default:
        return { type: 'chain', pos: node.pos, node, idents };
    }
  }

  private term(): Arg | undefined {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'identifier':
        return { type: 'func', pos: t.pos, name: t.val, fn: this.lookupFunction(t) };
      case 'dot':
        return { type: 'dot', pos: t.pos };
      case 'nil':
        return { type: 'nil', pos: t.pos };
      case 'variable':
        this.useVar(t);
        return { type: 'variable', pos: t.pos, name: t.val, idents: [] };
      case 'field':
        return { type: 'field', pos: t.pos, idents: [t.val.slice(1)] };
      case 'bool':
        return { type: 'const', pos: t.pos, value: t.val === 'true', text: t.val };
      case 'number':
      case 'charConstant':
        return { type: 'const', pos: t.pos, value: this.number(t), text: t.val };
      case 'leftParen':
        return { type: 'pipe', pos: t.pos, pipe: this.pipeline('parenthesized pipeline', 'rightParen') };
      case 'string':
        return { type: 'const', pos: t.pos, value: this.unquote(t, '"'), text: t.val };
      case 'rawString':
        return { type: 'const', pos: t.pos, value: t.val.slice(1, -1).replace(/\r/g, ''), text: t.val };
      default:
        this.backup();
        return undefined;
    }
  }

  private lookupFunction(t: Token): FuncDef {
    const fn = FUNCTIONS.get(t.val);
    if (fn) return fn;
    const why = UNSUPPORTED.get(t.val);
    if (why) this.fail(t.pos, `function "${t.val}" is not supported: ${why}`);
    return this.fail(t.pos, `function "${t.val}" not defined${suggestion(t.val, FUNCTIONS.keys())}`);
  }

  /** Go's string and character literal escapes (strconv.Unquote). */
  private unquote(t: Token, quote: '"' | "'"): string {
    const body = t.val.slice(1, -1);
    if (!body.includes('\\')) return body;
    const bytes: number[] = [];
    const bad = (): never => this.fail(t.pos, `invalid escape in ${quote === '"' ? 'string' : 'character constant'} ${t.val}`);
    const pushChar = (ch: string): void => {
      for (const b of Buffer.from(ch, 'utf8')) bytes.push(b);
    };
    for (let k = 0; k < body.length; ) {
      const cp = body.codePointAt(k) as number;
      const ch = String.fromCodePoint(cp);
      if (ch !== '\\') {
        pushChar(ch);
        k += ch.length;
        continue;
      }
      const e = body[k + 1];
      k += 2;
      if (e === undefined) bad();
      const simple = SIMPLE_ESCAPES[e as string];
      if (simple !== undefined) {
        bytes.push(simple);
        continue;
      }
      if (e === quote) {
        bytes.push(quote.charCodeAt(0));
        continue;
      }
      const hexDigits = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
      if (hexDigits > 0) {
        const digits = body.slice(k, k + hexDigits);
        if (!new RegExp(`^[0-9a-fA-F]{${hexDigits}}$`).test(digits)) bad();
        const value = parseInt(digits, 16);
        k += hexDigits;
        if (e === 'x') bytes.push(value);
        else if (value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) bad();
        else pushChar(String.fromCodePoint(value));
        continue;
      }
      if (e !== undefined && e >= '0' && e <= '7') {
        const digits = body.slice(k - 1, k + 2);
        if (!/^[0-7]{3}$/.test(digits) || parseInt(digits, 8) > 255) bad();
        bytes.push(parseInt(digits, 8));
        k += 2;
        continue;
      }
      bad();
    }
    return Buffer.from(bytes).toString('utf8');
  }

  /** Number and character literals: Go's int for integers, float64 where the text has . e or p. */
  private number(t: Token): number | bigint {
    const text = t.val;
    const illegal = (): never => this.fail(t.pos, `illegal number syntax: ${JSON.stringify(text)}`);
    if (t.type === 'charConstant') {
      const s = this.unquote(t, "'");
      const chars = [...s];
      if (chars.length !== 1) this.fail(t.pos, `malformed character constant: ${text}`);
      return BigInt(s.codePointAt(0) as number);
    }
    if (text.endsWith('i')) this.fail(t.pos, `complex number ${text} is not supported`);
    const sign = text[0] === '-' ? -1 : 1;
    const unsigned = text[0] === '-' || text[0] === '+' ? text.slice(1) : text;
    if (/(^_|_$|__|_\.|\._)/.test(unsigned.replace(/^0[xXoObB]_/, '0x'))) illegal();
    const digits = unsigned.replace(/_/g, '');
    const prefix = digits.slice(0, 2).toLowerCase();
    const isHex = prefix === '0x';
    const floatSyntax = isHex ? /[pP]/.test(digits) : /[.eEpP]/.test(digits);
    if (!floatSyntax) {
      let n: bigint | undefined;
      if (isHex && /^0[xX][0-9a-fA-F]+$/.test(digits)) n = BigInt(digits);
      else if (prefix === '0o' && /^0[oO][0-7]+$/.test(digits)) n = BigInt('0o' + digits.slice(2));
      else if (prefix === '0b' && /^0[bB][01]+$/.test(digits)) n = BigInt('0b' + digits.slice(2));
      else if (/^0\d+$/.test(digits)) n = /^0[0-7]+$/.test(digits) ? BigInt('0o' + digits.slice(1)) : undefined;
      else if (/^\d+$/.test(digits)) n = BigInt(digits);
      if (n === undefined) return illegal();
      n *= BigInt(sign);
      if (n > 9223372036854775807n || n < -9223372036854775808n) this.fail(t.pos, `number ${text} overflows int`);
      return n;
    }
    let v: number;
    if (isHex) {
      const m = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(digits);
      if (!m || (m[1] === '' && (m[2] ?? '') === '')) return illegal();
      const frac = m[2] ?? '';
      v = parseInt((m[1] as string) + frac, 16) * 2 ** (Number(m[3]) - 4 * frac.length);
    } else {
      if (!/^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(digits)) return illegal();
      v = Number(digits);
    }
    if (!Number.isFinite(v)) this.fail(t.pos, `number ${text} is out of range`);
    return sign * v;
  }

  /** The checks on one pipeline stage that Go would only fail at execution time. */
  private checkCommand(cmd: Command, stage: number): void {
    const first = cmd.args[0] as Arg;
    const piped = stage > 0;
    const hasArgs = cmd.args.length > 1 || piped;
    switch (first.type) {
      case 'func':
        this.checkCall(first, cmd.args.length - 1 + (piped ? 1 : 0));
        this.checkRegexLiteral(first.fn, cmd.args);
        break;
      case 'nil':
        this.fail(first.pos, 'nil is not a command');
        break;
      case 'const':
      case 'dot':
      case 'pipe':
        if (piped) this.fail(first.pos, `non executable command in pipeline stage ${stage + 1}`);
        if (hasArgs) this.fail((cmd.args[1] as Arg).pos, `can't give argument to non-function ${describeArg(first)}`);
        break;
      case 'variable':
        if (first.idents.length === 0 && hasArgs) {
          this.fail(piped ? first.pos : (cmd.args[1] as Arg).pos, `can't give argument to non-function ${first.name}`);
        }
        this.checkVariableFields(first, hasArgs);
        break;
      case 'field':
        this.checkFields(this.dotKinds.at(-1) as Kind, first.idents, hasArgs, first.pos, '');
        break;
      case 'chain':
        break;
    }
    for (const arg of cmd.args.slice(1)) this.checkOperand(arg);
  }

  private checkOperand(arg: Arg): void {
    switch (arg.type) {
      case 'func':
        this.checkCall(arg, 0);
        break;
      case 'variable':
        this.checkVariableFields(arg, false);
        break;
      case 'field':
        this.checkFields(this.dotKinds.at(-1) as Kind, arg.idents, false, arg.pos, '');
        break;
      default:
        break;
    }
  }

  private checkCall(arg: Extract<Arg, { type: 'func' }>, count: number): void {
    const { min, max } = arg.fn;
    if (count >= min && count <= max) return;
    const want = min === max ? `${min}` : count < min ? `at least ${min}` : `at most ${max}`;
    this.fail(arg.pos, `wrong number of args for ${arg.name}: want ${want} got ${count}`);
  }

  private checkRegexLiteral(fn: FuncDef, args: readonly Arg[]): void {
    if (fn.regexArg === undefined) return;
    const pattern = args[fn.regexArg + 1];
    if (pattern?.type !== 'const' || typeof pattern.value !== 'string') return;
    try {
      goRegex(pattern.value);
    } catch (err) {
      if (err instanceof RegexEngineNotLoadedError) throw err;
      this.fail(pattern.pos, (err as Error).message);
    }
  }

  private checkVariableFields(arg: Extract<Arg, { type: 'variable' }>, hasArgs: boolean): void {
    if (arg.idents.length === 0) return;
    const entry = this.lookupVar(arg.name) as VarEntry;
    // Later assignments may change what the variable holds, so judge once the whole template is read.
    this.deferred.push(() => {
      if (!entry.assigned) this.checkFields(entry.kind, arg.idents, hasArgs, arg.pos, arg.name);
    });
  }

  private checkFields(kind: Kind, idents: readonly string[], hasArgs: boolean, pos: number, base: string): void {
    let path = base;
    for (let j = 0; j < idents.length; j++) {
      const ident = idents[j] as string;
      const last = j === idents.length - 1;
      switch (kind) {
        case 'root': {
          const next = ROOT_FIELD_KINDS[ident];
          if (next === undefined) {
            this.fail(pos, `can't evaluate field ${ident} of the alert data${suggestion(ident, ROOT_FIELDS)}; its fields are ${ROOT_FIELDS.join(', ')}`);
          }
          if (last && hasArgs) this.fail(pos, `${ident} is a field, not a method: it takes no arguments`);
          kind = next;
          break;
        }
        case 'map':
          if (last && hasArgs) this.fail(pos, `${path}.${ident} is a label, not a method: it takes no arguments`);
          kind = 'string';
          break;
        case 'number':
        case 'string':
          this.fail(pos, `can't evaluate field ${ident} in type ${kind === 'number' ? 'float64' : 'string'}${path ? ` (${path} is a ${kind === 'number' ? 'number' : 'string'})` : ''}`);
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

/** Parses template text into nodes; throws TemplateError with the position of the first problem. */
export function parseNodes(text: string): Node[] {
  return new Parser(text, lex(text)).parse();
}
