// Text from servers (an HTTP reason, a header, a body excerpt, a PostgreSQL or VictoriaMetrics error) printed
// to a terminal: control characters there are commands (ESC [ 2 J clears the screen, OSC 8 makes links,
// OSC 52 writes the clipboard, CR overwrites a line). They are shown as escapes instead; newline and tab stay.

// C0 controls but TAB and LF, DEL, the C1 range, and the bidirectional overrides that reorder what is shown.
const UNSAFE_RE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function escape(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` safe to write to a terminal: every control character but newline and tab shown as \xNN or \uNNNN. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE_RE, escape);
}

/**
 * JSON for a terminal: JSON.stringify already escapes C0 controls; this escapes what it leaves raw (DEL, C1,
 * bidi overrides) as \uNNNN, which is still the same JSON.
 */
export function terminalSafeJson(value: unknown, space?: number): string {
  return (JSON.stringify(value, null, space) ?? 'null').replace(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
