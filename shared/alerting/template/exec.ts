// Executes a parsed template the way Go's text/template/exec.go does: variables live on a stack that
// control structures unwind, pipelines pass each stage's result as the last argument of the next, and
// values print with fmt's %v.
import type { Arg, Command, ControlNode, Node, Pipe } from './ast.js';
import { ArgTypeError, execError, FuncError } from './errors.js';
import { formatValue } from './go-fmt.js';
import { timeMethod } from './go-time.js';
import { AlertRoot, GoDuration, GoTime, isMap, isTrue, mapGet, sortedKeys, typeName, type Value } from './values.js';
import { durationMethod } from './go-duration.js';

/** Output beyond this is an error: a runaway range should not build a huge notification. */
const MAX_OUTPUT = 1 << 20;
/** Range iterations per render; range over an integer could otherwise spin for a long time. */
const MAX_ITERATIONS = 100_000;

const NO_FINAL: unique symbol = Symbol('no final');
type Final = Value | typeof NO_FINAL;

/** How a list of nodes ended: normally, or at {{break}} / {{continue}}. */
type Flow = 0 | 1 | 2;
const Flow = { Normal: 0, Break: 1, Continue: 2 } as const;

class State {
  out = '';
  readonly names: string[] = [];
  readonly values: Value[] = [];
  iterations = 0;

  constructor(
    readonly source: string,
    readonly root: AlertRoot,
  ) {}

  fail(pos: number, reason: string): never {
    throw execError(this.source, pos, reason);
  }

  write(pos: number, text: string): void {
    this.out += text;
    if (this.out.length > MAX_OUTPUT) this.fail(pos, `template output exceeds ${MAX_OUTPUT} characters`);
  }

  push(name: string, value: Value): void {
    this.names.push(name);
    this.values.push(value);
  }

  pop(mark: number): void {
    this.names.length = mark;
    this.values.length = mark;
  }

  lookup(pos: number, name: string): Value {
    for (let i = this.names.length - 1; i >= 0; i--) if (this.names[i] === name) return this.values[i] as Value;
    return this.fail(pos, `undefined variable: ${name}`);
  }

  set(pos: number, name: string, value: Value): void {
    for (let i = this.names.length - 1; i >= 0; i--) {
      if (this.names[i] === name) {
        this.values[i] = value;
        return;
      }
    }
    this.fail(pos, `undefined variable: ${name}`);
  }
}

/** The predefined variables and the fields of the alert data they hold (checks.ts declares the same names). */
const VARIABLE_FIELDS: ReadonlyArray<[string, 'Value' | 'Labels' | 'ExternalLabels' | 'Expr' | 'ExternalURL' | 'ActiveAt' | 'For' | 'Interval' | 'Type' | 'IsPartial']> = [
  ['$value', 'Value'],
  ['$labels', 'Labels'],
  ['$externalLabels', 'ExternalLabels'],
  ['$externalURL', 'ExternalURL'],
  ['$expr', 'Expr'],
  ['$activeAt', 'ActiveAt'],
  ['$for', 'For'],
  ['$interval', 'Interval'],
  ['$type', 'Type'],
  ['$isPartial', 'IsPartial'],
];

/** Runs the template; throws TemplateExecError. */
export function execute(source: string, nodes: readonly Node[], root: AlertRoot): string {
  const s = new State(source, root);
  s.push('$', root);
  for (const [name, field] of VARIABLE_FIELDS) s.push(name, root[field]);
  walkList(s, nodes, root);
  return s.out;
}

function walkList(s: State, list: readonly Node[], dot: Value): Flow {
  for (const node of list) {
    const flow = walk(s, node, dot);
    if (flow !== Flow.Normal) return flow;
  }
  return Flow.Normal;
}

function walk(s: State, node: Node, dot: Value): Flow {
  switch (node.type) {
    case 'text':
      s.write(0, node.text);
      return Flow.Normal;
    case 'action': {
      const value = evalPipeline(s, dot, node.pipe);
      if (node.pipe.decl.length === 0) s.write(node.pos, formatValue(value));
      return Flow.Normal;
    }
    case 'if':
    case 'with': {
      const mark = s.names.length;
      const value = evalPipeline(s, dot, node.pipe);
      let flow: Flow = Flow.Normal;
      if (isTrue(value)) flow = walkList(s, node.list, node.type === 'with' ? value : dot);
      else if (node.elseList) flow = walkList(s, node.elseList, dot);
      s.pop(mark);
      return flow;
    }
    case 'range':
      return walkRange(s, node, dot);
    case 'break':
      return Flow.Break;
    case 'continue':
      return Flow.Continue;
  }
}

function walkRange(s: State, node: ControlNode, dot: Value): Flow {
  const mark = s.names.length;
  const value = evalPipeline(s, dot, node.pipe);
  const { decl, isAssign } = node.pipe;
  const inner = s.names.length;
  let ran = false;
  let flow: Flow = Flow.Normal;
  const iteration = (key: Value, elem: Value): boolean => {
    if (++s.iterations > MAX_ITERATIONS) s.fail(node.pos, `range runs more than ${MAX_ITERATIONS} iterations`);
    ran = true;
    if (decl.length > 0) {
      if (isAssign) {
        if (decl.length > 1) {
          s.set(node.pos, decl[0] as string, key);
          s.set(node.pos, decl[1] as string, elem);
        } else s.set(node.pos, decl[0] as string, elem);
      } else {
        // The declared variables are the top of the stack: the element last, the key before it.
        s.values[inner - 1] = elem;
        if (decl.length > 1) s.values[inner - 2] = key;
      }
    }
    const result = walkList(s, node.list, elem);
    s.pop(inner);
    if (result === Flow.Break) return false;
    return true;
  };
  if (isMap(value)) {
    for (const key of sortedKeys(value)) if (!iteration(key, mapGet(value, key))) break;
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!iteration(BigInt(i), value[i] as Value)) break;
  } else if (typeof value === 'bigint') {
    if (decl.length > 1) s.fail(node.pos, `can't use ${value} to iterate over more than one variable`);
    for (let i = 0n; i < value; i++) if (!iteration(i, i)) break;
  } else if (value !== null) {
    s.fail(node.pos, `range can't iterate over ${formatValue(value)}`);
  }
  if (!ran && node.elseList) flow = walkList(s, node.elseList, dot);
  s.pop(mark);
  // {{break}} or {{continue}} in the else branch belongs to an enclosing range.
  return flow;
}

function evalPipeline(s: State, dot: Value, pipe: Pipe): Value {
  let value: Final = NO_FINAL;
  for (const cmd of pipe.cmds) value = evalCommand(s, dot, cmd, value);
  const result = value as Value;
  for (const name of pipe.decl) {
    if (pipe.isAssign) s.set(pipe.pos, name, result);
    else s.push(name, result);
  }
  return result;
}

function evalCommand(s: State, dot: Value, cmd: Command, final: Final): Value {
  const first = cmd.args[0] as Arg;
  switch (first.type) {
    case 'func':
      return evalFunction(s, dot, first, cmd.args, final);
    case 'field':
      return evalFieldChain(s, dot, dot, first.idents, cmd.args, final, first.pos);
    case 'variable': {
      const value = s.lookup(first.pos, first.name);
      if (first.idents.length === 0) return value;
      return evalFieldChain(s, dot, value, first.idents, cmd.args, final, first.pos);
    }
    case 'chain':
      return evalFieldChain(s, dot, evalArg(s, dot, first.node), first.idents, cmd.args, final, first.pos);
    case 'pipe':
      return evalPipeline(s, dot, first.pipe);
    case 'const':
      return first.value;
    case 'dot':
      return dot;
    case 'nil':
      return s.fail(first.pos, 'nil is not a command');
  }
}

function evalArg(s: State, dot: Value, arg: Arg): Value {
  switch (arg.type) {
    case 'const':
      return arg.value;
    case 'nil':
      return null;
    case 'dot':
      return dot;
    case 'field':
      return evalFieldChain(s, dot, dot, arg.idents, undefined, NO_FINAL, arg.pos);
    case 'variable': {
      const value = s.lookup(arg.pos, arg.name);
      return arg.idents.length === 0 ? value : evalFieldChain(s, dot, value, arg.idents, undefined, NO_FINAL, arg.pos);
    }
    case 'chain':
      return evalFieldChain(s, dot, evalArg(s, dot, arg.node), arg.idents, undefined, NO_FINAL, arg.pos);
    case 'pipe':
      return evalPipeline(s, dot, arg.pipe);
    case 'func':
      return evalFunction(s, dot, arg, [arg], NO_FINAL);
  }
}

function evalFieldChain(s: State, dot: Value, receiver: Value, idents: readonly string[], args: readonly Arg[] | undefined, final: Final, pos: number): Value {
  const last = idents.length - 1;
  for (let i = 0; i < last; i++) receiver = evalField(s, receiver, idents[i] as string, [], pos);
  const callArgs: Value[] = [];
  if (args) for (let i = 1; i < args.length; i++) callArgs.push(evalArg(s, dot, args[i] as Arg));
  if (final !== NO_FINAL) callArgs.push(final);
  return evalField(s, receiver, idents[last] as string, callArgs, pos);
}

function evalField(s: State, receiver: Value, name: string, args: Value[], pos: number): Value {
  if (receiver instanceof AlertRoot) {
    if (args.length > 0) s.fail(pos, `${name} has arguments but cannot be invoked as function`);
    switch (name) {
      case 'Value':
        return receiver.Value;
      case 'Labels':
        return receiver.Labels;
      case 'ExternalLabels':
        return receiver.ExternalLabels;
      case 'Expr':
      case 'ExternalURL':
      case 'ActiveAt':
      case 'For':
      case 'Interval':
      case 'Type':
      case 'IsPartial':
        return receiver[name];
      default:
        return s.fail(pos, `can't evaluate field ${name} of the alert data`);
    }
  }
  if (receiver instanceof GoTime || receiver instanceof GoDuration) {
    try {
      return receiver instanceof GoTime ? timeMethod(receiver, name, args) : durationMethod(receiver, name, args);
    } catch (err) {
      if (err instanceof ArgTypeError) s.fail(pos, err.message);
      if (err instanceof FuncError) s.fail(pos, `error calling ${name}: ${err.message}`);
      throw err;
    }
  }
  if (receiver === null) return s.fail(pos, `nil pointer evaluating interface {}.${name}`);
  if (isMap(receiver)) {
    if (args.length > 0) s.fail(pos, `${name} is not a method but has arguments`);
    return mapGet(receiver, name);
  }
  return s.fail(pos, `can't evaluate field ${name} in type ${typeName(receiver)}`);
}

function evalFunction(s: State, dot: Value, node: Extract<Arg, { type: 'func' }>, args: readonly Arg[], final: Final): Value {
  const fn = node.fn;
  if (fn.lazy) {
    // and/or stop at the first argument that decides the result and return that argument.
    const count = args.length - 1 + (final === NO_FINAL ? 0 : 1);
    let value: Value = null;
    for (let i = 1; i <= count; i++) {
      value = i < args.length ? evalArg(s, dot, args[i] as Arg) : (final as Value);
      if (isTrue(value) === (fn.lazy === 'or')) return value;
    }
    return value;
  }
  const argv: Value[] = [];
  for (let i = 1; i < args.length; i++) argv.push(evalArg(s, dot, args[i] as Arg));
  if (final !== NO_FINAL) argv.push(final);
  try {
    return fn.call(argv, s.root);
  } catch (err) {
    if (err instanceof FuncError) s.fail(node.pos, `error calling ${node.name}: ${err.message}`);
    if (err instanceof ArgTypeError) s.fail(node.pos, `${node.name}: ${err.message}`);
    throw err;
  }
}
