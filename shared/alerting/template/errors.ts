// Errors carry the place in the template text so a rule author can find the mistake in a YAML string.

/** A template that cannot be parsed or used (unknown function, undefined variable, syntax error). */
export class TemplateError extends Error {
  override name = 'TemplateError';

  constructor(
    /** What is wrong, without the position. */
    readonly reason: string,
    /** 0-based offset in the template text. */
    readonly offset: number,
    /** 1-based line. */
    readonly line: number,
    /** 1-based column. */
    readonly column: number,
  ) {
    super(`line ${line}, column ${column}: ${reason}`);
  }
}

/** A template that parsed but failed while rendering (a function error, a field on a number, …). */
export class TemplateExecError extends TemplateError {
  override name = 'TemplateExecError';
}

export function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

export function templateError(text: string, offset: number, reason: string): TemplateError {
  const { line, column } = positionOf(text, offset);
  return new TemplateError(reason, offset, line, column);
}

export function execError(text: string, offset: number, reason: string): TemplateExecError {
  const { line, column } = positionOf(text, offset);
  return new TemplateExecError(reason, offset, line, column);
}

/** Thrown by template functions; the executor adds the position and "error calling <name>: ". */
export class FuncError extends Error {}

/** Thrown when an argument has the wrong type; reported without "error calling", as Go does. */
export class ArgTypeError extends Error {}
