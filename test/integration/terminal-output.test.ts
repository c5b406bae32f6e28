// Server text printed by the CLI: a target that puts terminal control sequences in its status line, headers
// and body (ESC [ 2 J clears the screen, OSC 52 writes the clipboard, OSC 8 hides a link, CR overwrites a
// line, a C1 CSI, a bidi override) must not drive the operator's terminal through `periscope probe`.
import { execFile } from 'node:child_process';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { terminalSafe, terminalSafeJson } from '../../shared/observability/terminal-text.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const NASTY = '\u001b[2J\u001b]52;c;cHduZWQ=\u0007\u001b]8;;http://127.0.0.2/\u0007link\u001b]8;;\u0007\rover\u009b31m\u202egnp.exe';
let server: net.Server;
let url: string;

beforeAll(async () => {
  server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => {
      const body = `oops ${NASTY}`;
      socket.end(`HTTP/1.1 503 ${NASTY.replace(/[\r\n]/g, '')}\r\nX-Note: ${NASTY.replace(/[\r\n]/g, '')}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise((done) => server.close(done));
});

function probe(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) =>
    execFile(process.execPath, [join(ROOT, 'bin/periscope.js'), 'probe', url, '--expect-body', 'fine', ...args], { timeout: 60_000 }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? -1) : 0, stdout, stderr }),
    ),
  );
}

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('periscope probe against a server that sends terminal control sequences', () => {
  it('prints the waterfall and --debug with every control character escaped', async () => {
    const { code, stdout, stderr } = await probe(['--debug']);
    expect(code, stderr).toBe(1);
    expect(stdout).not.toMatch(CONTROL);
    expect(stdout).toContain('\\x1b[2J');
    expect(stdout).toContain('\\x1b]52;c;cHduZWQ=\\x07');
    expect(stdout).toContain('\\x9b31m');
    expect(stdout).toContain('\\u202egnp.exe');
  });

  it('prints --json that parses to the same text and holds no raw control character', async () => {
    const { stdout } = await probe(['--json', '--debug']);
    expect(stdout).not.toMatch(CONTROL);
    const result = JSON.parse(stdout) as { debug: { body_excerpt: string } };
    expect(result.debug.body_excerpt).toBe(`oops ${NASTY}`);
  });
});

describe('terminalSafe', () => {
  it('keeps newline, tab and ordinary Unicode; escapes the rest', () => {
    expect(terminalSafe('a\tb\nc — ünïcode ✓')).toBe('a\tb\nc — ünïcode ✓');
    expect(terminalSafe('\r\u0000\u007f\u0085\u2066')).toBe('\\x0d\\x00\\x7f\\x85\\u2066');
    expect(JSON.parse(terminalSafeJson({ s: '\u009b\u202e' }))).toEqual({ s: '\u009b\u202e' });
  });
});
