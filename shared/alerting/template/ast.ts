// The parsed form of a template, close to Go's parse tree. Function references are resolved at parse
// time so rendering does no name lookups for them.
import type { FuncDef } from './functions.js';
import type { Value } from './values.js';

export type Node = TextNode | ActionNode | ControlNode | LoopJumpNode;

export interface TextNode {
  readonly type: 'text';
  readonly text: string;
}

/** {{ pipeline }}: printed unless it declares or assigns variables. */
export interface ActionNode {
  readonly type: 'action';
  readonly pos: number;
  readonly pipe: Pipe;
}

/** {{ if }}, {{ with }} and {{ range }}, each with an optional {{ else }}. */
export interface ControlNode {
  readonly type: 'if' | 'with' | 'range';
  readonly pos: number;
  readonly pipe: Pipe;
  readonly list: readonly Node[];
  readonly elseList: readonly Node[] | undefined;
}

export interface LoopJumpNode {
  readonly type: 'break' | 'continue';
  readonly pos: number;
}

export interface Pipe {
  readonly pos: number;
  /** Variables declared ($x := …) or assigned ($x = …) by the pipeline. */
  readonly decl: readonly string[];
  readonly isAssign: boolean;
  readonly cmds: readonly Command[];
}

/** One stage of a pipeline: a function call, or a single operand. */
export interface Command {
  readonly pos: number;
  readonly args: readonly Arg[];
}

export type Arg =
  | { readonly type: 'const'; readonly pos: number; readonly value: Value; readonly text: string }
  | { readonly type: 'nil'; readonly pos: number }
  | { readonly type: 'dot'; readonly pos: number }
  /** .a.b on the dot. */
  | { readonly type: 'field'; readonly pos: number; readonly idents: readonly string[] }
  /** $x.a.b */
  | { readonly type: 'variable'; readonly pos: number; readonly name: string; readonly idents: readonly string[] }
  /** (pipeline).a.b */
  | { readonly type: 'chain'; readonly pos: number; readonly node: Arg; readonly idents: readonly string[] }
  | { readonly type: 'func'; readonly pos: number; readonly name: string; readonly fn: FuncDef }
  | { readonly type: 'pipe'; readonly pos: number; readonly pipe: Pipe };
