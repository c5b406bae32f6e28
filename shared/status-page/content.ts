// What people write for the status page: a title, a logo, a description, names customers read for groups
// and services (the `status_page:` section of the stage's targets file), and dated notes — incidents,
// maintenance, announcements — in a file of their own beside the targets file
// (status-notes/<targets file name>.yml by default). The function's environment (from serverless.yml
// params statusPageTitle, statusPageDescription, statusPageLogo, statusPageNotes) overrides the file.
// Every problem is a ConfigError naming the file and the field (exit 2 in the CLI).
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, resolve } from 'node:path';
import * as z from 'zod/mini';
import { ConfigError, problemsFromZod } from '../config/errors.js';
import { parseYaml } from '../config/load.js';
import { isNotFound, readConfigText, readProblem } from '../config/read-text.js';
import type { TargetsFile } from '../config/schema.js';
import '../config/zod.js';

export type NoteKind = 'incident' | 'maintenance' | 'info';

export interface StatusNote {
  /** When it was written (or, for maintenance, when it starts), Unix ms. */
  dateMs: number;
  title: string;
  text?: string;
  kind: NoteKind;
  /** Public service names it is about (empty: all). */
  services: string[];
  /** Not shown after this, Unix ms. */
  untilMs?: number;
}

export interface StatusPageContent {
  title: string;
  description?: string;
  /** An https:// URL or a data: URI of a file beside the targets file. */
  logo?: string;
  /** Names customers read instead of group and target names. */
  groupTitles: Record<string, string>;
  serviceTitles: Record<string, string>;
  notes: StatusNote[];
}

export const DEFAULT_TITLE = 'Service status';

const nonEmpty = z.string().check(z.trim(), z.minLength(1, 'must not be empty'));

/** UTC dates as people write them: 2026-11-03, 2026-11-03 14:10, 2026-11-03T14:10:00Z. */
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?)?(Z|[+-]\d{2}:\d{2})?$/;

export function parseNoteDate(text: string): number | undefined {
  const m = DATE_RE.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone] = m;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${fraction}${zone ?? 'Z'}`;
  const ms = Date.parse(iso);
  // Date.parse rolls 2026-02-30 over to March: a date that does not exist is refused.
  if (!Number.isFinite(ms) || (zone === undefined && new Date(ms).toISOString().slice(0, 10) !== `${y}-${mo}-${d}`)) return undefined;
  return ms;
}

const noteDate = z.pipe(
  z.union([z.string(), z.date()]),
  z.transform((value: string | Date, ctx) => {
    const ms = value instanceof Date ? value.getTime() : parseNoteDate(value);
    if (ms === undefined) {
      ctx.issues.push({ code: 'custom', message: `"${String(value)}" is not a date (use 2026-11-03, 2026-11-03 14:10 or 2026-11-03T14:10:00Z; UTC unless a zone is given)`, input: value });
      return z.NEVER;
    }
    return ms;
  }),
);

const noteSchema = z.strictObject({
  date: noteDate,
  title: nonEmpty,
  text: z.optional(nonEmpty),
  kind: z._default(z.enum(['incident', 'maintenance', 'info']), 'info'),
  services: z._default(z.array(nonEmpty), []),
  until: z.optional(noteDate),
});

export const notesFileSchema = z.strictObject({ notes: z._default(z.array(noteSchema), []) });

const LOGO_TYPES: Record<string, string> = { '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp' };
/** A logo is inlined into every page written: keep it small. */
const LOGO_MAX_BYTES = 256 * 1024;

export interface ContentSources {
  /** The targets file's path (notes and logo files are relative to its folder). */
  targetsPath: string;
  file: TargetsFile;
  /** STATUS_PAGE_TITLE, STATUS_PAGE_DESCRIPTION, STATUS_PAGE_LOGO, STATUS_PAGE_NOTES: override the file when set. */
  env?: NodeJS.ProcessEnv;
}

/** The default notes file of a targets file: status-notes/<its name>.yml beside it. */
export function defaultNotesPath(targetsPath: string): string {
  return resolve(dirname(targetsPath), 'status-notes', `${basename(targetsPath, extname(targetsPath))}.yml`);
}

export async function loadStatusPageContent(sources: ContentSources): Promise<StatusPageContent> {
  const { targetsPath, file } = sources;
  const env = sources.env ?? {};
  const section = file.status_page ?? {};
  const fromEnv = (name: string) => (env[name]?.trim() ? env[name].trim() : undefined);
  const base = dirname(targetsPath);
  const at = (path: string) => (isAbsolute(path) ? path : resolve(base, path));

  const publicGroups = new Set(file.groups.map((g) => g.name));
  const publicTargets = new Set(file.groups.flatMap((g) => g.targets.filter((t) => t.public ?? g.public).map((t) => t.name)));
  const problems = [
    ...Object.keys(section.group_titles ?? {})
      .filter((g) => !publicGroups.has(g))
      .map((g) => ({ path: `status_page.group_titles.${g}`, message: `no group "${g}" in this file` })),
    ...Object.keys(section.service_titles ?? {})
      .filter((t) => !publicTargets.has(t))
      .map((t) => ({ path: `status_page.service_titles.${t}`, message: `no public target "${t}" in this file (only public targets are on the status page)` })),
  ];
  if (problems.length) throw new ConfigError(targetsPath, problems);

  const logoRef = fromEnv('STATUS_PAGE_LOGO') ?? section.logo;
  const logoField = fromEnv('STATUS_PAGE_LOGO') ? 'STATUS_PAGE_LOGO (statusPageLogo)' : 'status_page.logo';
  const logo = logoRef === undefined ? undefined : await loadLogo(logoRef, at, targetsPath, logoField);

  const notesRef = fromEnv('STATUS_PAGE_NOTES') ?? section.notes;
  const notesPath = notesRef !== undefined ? at(notesRef) : defaultNotesPath(targetsPath);
  const notes = await loadNotes(notesPath, notesRef !== undefined, publicTargets, section.service_titles ?? {});
  const description = fromEnv('STATUS_PAGE_DESCRIPTION') ?? section.description;
  return {
    title: fromEnv('STATUS_PAGE_TITLE') ?? section.title ?? DEFAULT_TITLE,
    ...(description ? { description } : {}),
    ...(logo ? { logo } : {}),
    groupTitles: section.group_titles ?? {},
    serviceTitles: section.service_titles ?? {},
    notes,
  };
}

async function loadLogo(ref: string, at: (p: string) => string, targetsPath: string, field: string): Promise<string> {
  if (/^https:\/\//i.test(ref)) {
    try {
      return new URL(ref).href;
    } catch {
      throw new ConfigError(targetsPath, [{ path: field, message: `"${ref}" is not a URL` }]);
    }
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(ref) && !/^[a-z]:[\\/]/i.test(ref)) {
    throw new ConfigError(targetsPath, [{ path: field, message: `"${ref}": give an https:// URL or a file beside the targets file` }]);
  }
  const path = at(ref);
  const type = LOGO_TYPES[extname(path).toLowerCase()];
  if (!type) throw new ConfigError(targetsPath, [{ path: field, message: `${ref}: a logo is an .svg, .png, .jpg, .gif or .webp file` }]);
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    throw new ConfigError(targetsPath, [{ path: field, message: `${path}: ${readProblem(err, 'logo file')}` }]);
  }
  if (size > LOGO_MAX_BYTES) throw new ConfigError(targetsPath, [{ path: field, message: `${path} is ${size} bytes; a logo is inlined into the page, keep it under ${LOGO_MAX_BYTES / 1024} KiB` }]);
  const bytes = await readFile(path);
  return `data:${type};base64,${bytes.toString('base64')}`;
}

async function loadNotes(path: string, named: boolean, publicTargets: Set<string>, serviceTitles: Record<string, string>): Promise<StatusNote[]> {
  let text: string;
  if (named) text = await readConfigText(path, 'notes file');
  else {
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      // The default notes file is optional: a stage without notes has none.
      if (isNotFound(err)) return [];
      throw new ConfigError(path, [{ path: '', message: readProblem(err, 'notes file') }]);
    }
  }
  const raw = parseYaml(text, path);
  const parsed = notesFileSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new ConfigError(path, problemsFromZod(parsed.error));
  const titled = new Map(Object.entries(serviceTitles).map(([name, title]) => [title, name]));
  const problems: Array<{ path: string; message: string }> = [];
  const notes = parsed.data.notes.map((n, i) => {
    const services = n.services.map((s, k) => {
      if (publicTargets.has(s)) return s;
      const byTitle = titled.get(s);
      if (byTitle) return byTitle;
      problems.push({ path: `notes[${i}].services[${k}]`, message: `"${s}" is not a public target of the targets file` });
      return s;
    });
    if (n.until !== undefined && n.until < n.date) problems.push({ path: `notes[${i}].until`, message: 'is before date' });
    return { dateMs: n.date, title: n.title, ...(n.text ? { text: n.text } : {}), kind: n.kind, services, ...(n.until !== undefined ? { untilMs: n.until } : {}) };
  });
  if (problems.length) throw new ConfigError(path, problems);
  return notes;
}

/** Notes a visitor sees now: until in the future, or written in the last 14 days; upcoming maintenance too. Newest first. */
export function visibleNotes(notes: readonly StatusNote[], nowMs: number): StatusNote[] {
  const recent = 14 * 86_400_000;
  return notes
    .filter((n) => (n.untilMs !== undefined ? n.untilMs > nowMs : n.dateMs > nowMs - recent))
    .sort((a, b) => b.dateMs - a.dateMs);
}
