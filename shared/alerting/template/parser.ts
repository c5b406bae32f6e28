// Parser following Go's text/template/parse/parse.go, plus the checks Go leaves to execution time that
// are certain to fail (checks.ts), so `periscope validate` rejects such a rule before the alert fires.
// Literals are literals.ts, the token stream token-cursor.ts.
import type { Arg, Command, ControlNode, Node, Pipe } from './ast.js';
import { StaticChecks, suggestion, VariableScope, type Kind } from './checks.js';
import { templateError } from './errors.js';
import { FUNCTIONS, UNSUPPORTED, type FuncDef } from './functions.js';
import { lex, type Token } from './lexer.js';
import { numberLiteral, unquote } from './literals.js';
import { TokenCursor } from './token-cursor.js';

type Marker = { readonly type: 'end'; readonly pos: number } | { readonly type: 'else'; readonly pos: number };

const MAX_DEPTH = 100;

class Parser extends TokenCursor {
  private readonly vars = new VariableScope();
  private readonly dotKinds: Kind[] = ['root'];
  private rangeDepth = 0;
  /** Nesting of parentheses and control structures, bounded so a hostile template cannot overflow the stack. */
  private depth = 0;
  private readonly deferred: Array<() => void> = [];

  private readonly checks = new StaticChecks({
    fail: (pos, reason) => this.fail(pos, reason),
    dotKind: () => this.dotKinds.at(-1) as Kind,
    lookupVar: (name) => this.vars.lookup(name),
    defer: (check) => this.deferred.push(check),
  });

  constructor(text: string, tokens: readonly Token[]) {
    super(tokens, (pos, reason) => {
      throw templateError(text, pos, reason);
    });
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
    const mark = this.vars.mark();
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
    this.vars.reset(mark);
    return { type: context, pos, pipe, list, elseList };
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
      const before = this.mark();
      this.nextNonSpace();
      const after = this.peekNonSpace();
      if (after.type === 'assign' || after.type === 'declare') {
        isAssign = after.type === 'assign';
        this.nextNonSpace();
        this.vars.declare(v, isAssign, this.fail);
        decl.push(v.val);
        break;
      }
      if (after.type === 'char' && after.val === ',') {
        this.nextNonSpace();
        this.vars.declare(v, false, this.fail);
        decl.push(v.val);
        if (context === 'range' && decl.length < 2) {
          const p = this.peekNonSpace();
          if (p.type === 'variable' || p.type === 'rightDelim' || p.type === 'rightParen') continue;
          this.fail(p.pos, 'range can only initialize variables');
        }
        this.fail(after.pos, `too many declarations in ${context}`);
      }
      this.reset(before);
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
          this.checks.checkCommand(cmd, cmds.length);
          cmds.push(cmd);
          pipeFollows = pipeAfter;
          break;
        }
        default:
          this.unexpected(t, context);
      }
    }
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
        this.vars.use(t, this.fail);
        return { type: 'variable', pos: t.pos, name: t.val, idents: [] };
      case 'field':
        return { type: 'field', pos: t.pos, idents: [t.val.slice(1)] };
      case 'bool':
        return { type: 'const', pos: t.pos, value: t.val === 'true', text: t.val };
      case 'number':
      case 'charConstant':
        return { type: 'const', pos: t.pos, value: numberLiteral(t, this.fail), text: t.val };
      case 'leftParen':
        return { type: 'pipe', pos: t.pos, pipe: this.pipeline('parenthesized pipeline', 'rightParen') };
      case 'string':
        return { type: 'const', pos: t.pos, value: unquote(t, '"', this.fail), text: t.val };
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

}

/** Parses template text into nodes; throws TemplateError with the position of the first problem. */
export function parseNodes(text: string): Node[] {
  return new Parser(text, lex(text)).parse();
}
