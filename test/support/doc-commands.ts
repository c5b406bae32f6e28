// The shell commands the README and the guides show: every line of a ```sh block (continuations joined, a
// `$ ` prompt marking commands where the block also shows output, comments dropped) and every inline code span
// that is a command (`periscope …`, `npm run …`, `npx …`, `node --import tsx …`, `aws …`). test/integration/docs.test.ts runs
// or lists each of them.

export interface DocCommand {
  /** The command as written, whitespace collapsed. */
  text: string;
  /** Where: README.md:12 */
  where: string;
  /** From a code block (true) or an inline span in prose (false). */
  block: boolean;
  /** In a block that shows `$ command` and what it prints: the lines printed, as shown. */
  output?: string[];
}

const SHELL_FENCE = /^```(sh|bash|shell|console)\s*$/;
const INLINE_COMMAND = /^(periscope|npm (run|start|test|ci|link)|npx|node --import tsx|aws|sls)(\s|$)/;

/** A `#` comment outside quotes, with the whitespace before it. */
function withoutComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1] ?? ''))) return line.slice(0, i).trimEnd();
  }
  return line.trimEnd();
}

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();

function blockCommands(lines: string[], firstLine: number, file: string): DocCommand[] {
  const prompted = lines.some((l) => l.startsWith('$ '));
  const out: DocCommand[] = [];
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] ?? '';
    const start = i;
    if (prompted) {
      if (!line.startsWith('$ ')) continue; // output shown under a command
      line = line.slice(2);
    }
    let text = withoutComment(line);
    // A trailing backslash continues the command on the next line.
    while (text.endsWith('\\') && i + 1 < lines.length) {
      i += 1;
      text = `${text.slice(0, -1)} ${withoutComment(lines[i] ?? '')}`;
    }
    if (text.trim() === '') continue;
    const command: DocCommand = { text: collapse(text), where: `${file}:${firstLine + start}`, block: true };
    if (prompted) {
      const output: string[] = [];
      while (i + 1 < lines.length && !(lines[i + 1] ?? '').startsWith('$ ')) output.push(lines[++i] ?? '');
      while (output.length > 0 && output[output.length - 1]?.trim() === '') output.pop();
      command.output = output;
    }
    out.push(command);
  }
  return out;
}

/** Every command of one Markdown file. */
export function docCommands(markdown: string, file: string): DocCommand[] {
  const lines = markdown.split('\n');
  const out: DocCommand[] = [];
  let fence: { shell: boolean; start: number; body: string[] } | undefined;
  for (const [index, line] of lines.entries()) {
    if (fence) {
      if (line.startsWith('```')) {
        if (fence.shell) out.push(...blockCommands(fence.body, fence.start, file));
        fence = undefined;
      } else fence.body.push(line);
      continue;
    }
    if (line.startsWith('```')) {
      fence = { shell: SHELL_FENCE.test(line), start: index + 2, body: [] };
      continue;
    }
    for (const match of line.matchAll(/`([^`]+)`/g)) {
      const span = collapse(match[1] ?? '');
      if (INLINE_COMMAND.test(span)) out.push({ text: span, where: `${file}:${index + 1}`, block: false });
    }
  }
  return out;
}
