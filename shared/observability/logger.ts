// Structured logs: one JSON object per line in Lambda (CloudWatch Logs Insights can query the fields),
// the same fields as text locally. Callers never pass secrets; values are logged as given. A line written
// during a Lambda invocation carries its requestId (request-context.ts), whoever writes it.
import { requestFields } from './request-context.js';
import { terminalSafe } from './terminal-text.js';

export type LogFields = Record<string, unknown>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export function createJsonLogger(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Logger {
  const log = (level: string) => (message: string, fields: LogFields = {}) =>
    write(JSON.stringify({ level, message, time: new Date().toISOString(), ...fields, ...requestFields() }));
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

/** Local logs for a terminal: warnings and errors as `level: message key=value` on stderr; `skip` names messages shown another way. */
export function createTextLogger(skip: readonly string[] = []): Logger {
  const line = (level: string) => (message: string, fields: LogFields = {}) => {
    if (skip.includes(message)) return;
    const rest = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
    // Fields carry what servers said (an error message): escaped, so they cannot drive the terminal.
    process.stderr.write(`${terminalSafe(`${level}: ${message}${rest ? ` ${rest}` : ''}`)}\n`);
  };
  return { info: () => {}, warn: line('warn'), error: line('error') };
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
