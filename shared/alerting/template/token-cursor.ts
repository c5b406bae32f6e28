// The parser's view of the token stream: one token of look-ahead, spaces skipped on request, and Go's
// messages for a token that does not belong where it stands.
import type { Fail } from './literals.js';
import type { Token, TokenType } from './lexer.js';

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

export class TokenCursor {
  private i = 0;

  constructor(
    private readonly tokens: readonly Token[],
    /** Reports a problem at a position of the template; never returns. */
    protected readonly fail: Fail,
  ) {}

  /** The position in the stream, to come back to with reset(). */
  protected mark(): number {
    return this.i;
  }

  protected reset(mark: number): void {
    this.i = mark;
  }

  protected next(): Token {
    const t = this.tokens[this.i] as Token;
    if (t.type !== 'eof') this.i++;
    return t;
  }

  protected peek(): Token {
    return this.tokens[this.i] as Token;
  }

  protected backup(): void {
    this.i--;
  }

  protected nextNonSpace(): Token {
    let t = this.next();
    while (t.type === 'space') t = this.next();
    return t;
  }

  protected peekNonSpace(): Token {
    let j = this.i;
    while ((this.tokens[j] as Token).type === 'space') j++;
    return this.tokens[j] as Token;
  }

  protected unexpected(t: Token, context: string): never {
    if (t.type === 'eof') return this.fail(t.pos, `unclosed action in ${context}`);
    return this.fail(t.pos, `unexpected ${describeToken(t)} in ${context}`);
  }

  protected expect(type: TokenType, context: string): Token {
    const t = this.nextNonSpace();
    if (t.type !== type) this.unexpected(t, context);
    return t;
  }
}
