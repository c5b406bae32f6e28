// Field types shared by the module schemas: durations, RE2 regexes, secret references, label maps, TLS
// blocks, URLs and host:port. Each module's schema lives in its own file (schema-*.ts) and builds on these.
import * as z from 'zod/mini';
import { parseByteSize } from './bytes.js';
import { parseDuration } from './duration.js';
import { goBool, goStringMap } from './go-scalars.js';
import { compileRe2, RegexSyntaxError } from '../regex/index.js';
import { SECRET_REF_RE } from './secrets.js';
import { transformIssue } from './zod.js';

/** Identity labels the pipeline sets on every sample; a file may not override them. */
export const RESERVED_LABELS = ['job', 'instance', 'target', 'module', 'group', 'stage', 'account', 'region'] as const;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export const duration = z.pipe(
  z.string(),
  z.transform((text: string, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) return transformIssue(ctx, `"${text}" is not a duration (use e.g. 500ms, 10s, 1m, 1h30m)`);
    return ms;
  }),
);

/**
 * A boolean as Go's YAML reads one into a bool field: true/false, and YAML 1.1's yes/no, on/off, y/n (the
 * YAML loader keeps those as strings, since in a string field they are text).
 */
export const yamlBoolean = z.pipe(
  z.union([z.boolean(), z.string()]),
  z.transform((value: boolean | string, ctx) => goBool(value) ?? transformIssue(ctx, `"${String(value)}" is not a boolean (use true or false)`)),
);

export const positiveDuration = duration.check(z.refine((ms) => ms > 0, 'must be longer than 0'));

/**
 * How often a group is probed: from 1s (a shorter interval is a load test on the target, and under 1 ms the
 * local run's timer fired continuously) to 24h (timers cannot wait past ~24.8 days; a rarer probe is not
 * monitoring). A Lambda schedule's 1-minute floor is checked when packaging.
 */
export const MIN_INTERVAL_MS = 1_000;
export const MAX_INTERVAL_MS = 86_400_000;
export const intervalDuration = duration.check(
  z.refine((ms) => ms >= MIN_INTERVAL_MS && ms <= MAX_INTERVAL_MS, 'must be between 1s and 24h (an interval is how often the targets are probed)'),
);

/** A probe's timeout: above 0 and at most 1h (a timer cannot wait past ~24.8 days; a Lambda runs 15 minutes at most). */
export const MAX_TIMEOUT_MS = 3_600_000;
export const timeoutDuration = duration.check(z.refine((ms) => ms > 0 && ms <= MAX_TIMEOUT_MS, 'must be longer than 0 and at most 1h'));

export const regexp = z.string().check(
  z.superRefine((pattern, ctx) => {
    try {
      compileRe2(pattern);
    } catch (err) {
      // Anything but a syntax error (the engine not loaded yet) is for the caller: see withRegexEngine.
      if (!(err instanceof RegexSyntaxError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message });
    }
  }),
);

export const secretRef = z.string().check(z.regex(SECRET_REF_RE, 'must be a secret reference: env:NAME, file:/path or ssm:/path'));

/** Rejects a literal secret with a message that says what to write instead. */
export function literalSecret(field: string) {
  return z.optional(z.unknown()).check(
    z.superRefine((value, ctx) => {
      if (value !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `literal secrets are not accepted; use ${field}_from: env:NAME (or file:/path, ssm:/path)`,
        });
      }
    }),
  );
}

/**
 * Label values as Go reads them into a string: a number or a boolean is its text as written (`version: 1.10`
 * is "1.10", `canary: yes` is "yes"), a null is "". A mapping or a list is refused.
 */
export const goStringValues = z.pipe(
  z.custom<Record<string, unknown>>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), 'labels must be a mapping of names to values'),
  z.transform((labels: Record<string, unknown>, ctx) => goStringMap(labels) ?? transformIssue(ctx, 'a label value must be a string, a number or a boolean, not a mapping or a list')),
);

export const labelMap = z.pipe(goStringValues, z.record(z.string(), z.string())).check(
  z.superRefine((labels, ctx) => {
    for (const name of Object.keys(labels)) {
      if (!LABEL_NAME_RE.test(name) || name.startsWith('__')) {
        ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is not a valid Prometheus label name` });
      } else if ((RESERVED_LABELS as readonly string[]).includes(name)) {
        ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is set by Periscope and cannot be overridden` });
      }
    }
  }),
);

export const ipProtocol = z.enum(['ip4', 'ip6']);

/** RFC 9110 token: what a header name may be. A space, colon or line break would break the request. */
const HEADER_NAME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Control characters a header value may not hold (HTAB is allowed): CR or LF would split the request. */
const HEADER_VALUE_CONTROL_RE = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** Why a header name or value cannot be sent, or undefined. */
export function headerProblem(name: string, value: string): string | undefined {
  if (!HEADER_NAME_RE.test(name)) return `"${name}" is not a valid header name (letters, digits and !#$%&'*+-.^_\`|~, no spaces or colons)`;
  const control = HEADER_VALUE_CONTROL_RE.exec(value);
  if (control) return `the value of header ${name} contains a control character (U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}); line breaks would split the request`;
  return undefined;
}

/**
 * Own keys a YAML mapping can have that a plain object turns into something else: `__proto__` would be
 * dropped without a word (or, elsewhere, change the object's prototype). Checked on the raw mapping.
 */
export function noPrototypeKeys(what: string) {
  return z.unknown().check(
    z.superRefine((raw, ctx) => {
      if (raw !== null && typeof raw === 'object' && Object.prototype.hasOwnProperty.call(raw, '__proto__')) {
        ctx.addIssue({ code: 'custom', path: ['__proto__'], message: `"__proto__" is not accepted as ${what}` });
      }
    }),
  );
}

/** Request headers: names that are tokens, values without control characters, no `__proto__`. */
export const headerMap = z.pipe(
  noPrototypeKeys('a header name'),
  z.record(z.string(), z.string()).check(
    z.superRefine((headers, ctx) => {
      for (const [name, value] of Object.entries(headers)) {
        const problem = headerProblem(name, value);
        if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
      }
    }),
  ),
);

export const tlsConfigSchema = z.strictObject({
  insecure_skip_verify: z._default(yamlBoolean, false),
  ca: z.optional(z.string()),
  ca_file: z.optional(z.string()),
  cert: z.optional(z.string()),
  cert_file: z.optional(z.string()),
  key: literalSecret('key'),
  key_file: z.optional(z.string()),
  key_from: z.optional(secretRef),
  server_name: z.optional(z.string()),
  min_version: z.optional(z.enum(['TLS10', 'TLS11', 'TLS12', 'TLS13'])),
  max_version: z.optional(z.enum(['TLS10', 'TLS11', 'TLS12', 'TLS13'])),
});

/** A URL with one of `schemes` and no password in it (secrets are references); messages never echo one. */
export function urlOf(schemes: readonly string[], schemeMessage: (scheme: string) => string, passwordHint: string) {
  return z.string().check(
    z.superRefine((text, ctx) => {
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: `"${text.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@')}" is not a valid URL` });
        return;
      }
      if (!schemes.includes(url.protocol)) ctx.addIssue({ code: 'custom', message: schemeMessage(url.protocol.replace(':', '')) });
      if (url.password) ctx.addIssue({ code: 'custom', message: `URL must not contain a password; use ${passwordHint}` });
    }),
  );
}

export const byteSize = z.pipe(
  z.union([z.string(), z.number()]),
  z.transform((value: string | number, ctx) => {
    const bytes = parseByteSize(value);
    if (bytes === undefined) return transformIssue(ctx, `"${value}" is not a size (use e.g. 512, 64KB, 1MB)`);
    return bytes;
  }),
);

export const hostPort = z.string().check(
  z.superRefine((text, ctx) => {
    const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):(\d{1,5})$/.exec(text);
    if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not host:port (e.g. db.internal:5432, [::1]:25)` });
    }
  }),
);

export type TlsConfig = z.output<typeof tlsConfigSchema>;
