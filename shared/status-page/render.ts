// The public status page: what a customer reads — the page's title, logo and description, one sentence on
// how things are, the notes people wrote (incidents, maintenance), each public service with its state in
// words ("Operational", "Not responding", "Errors"), 30 daily bars, uptime and coverage, and the incidents
// of the last 7 days. No reason codes, no stage or account, no internal address, no latency percentiles.
// One static HTML file (styles inline, no script, works at 390 px) and the same data as status.json.
import { humanDuration, percent } from '../reporting/durations.js';
import { mergeIncidents, type Incident } from '../reporting/incidents.js';
import type { DayUptime, Overview, TargetStatus } from '../reporting/overview.js';
import type { Uptime } from '../reporting/uptime.js';
import { availabilityBars } from '../ui/bars.js';
import { breakable, escapeHtml, html, type Html } from '../ui/html.js';
import { publicProblem } from '../ui/reasons.js';
import { DEFAULT_TITLE, visibleNotes, type StatusNote, type StatusPageContent } from './content.js';
import { STATUS_STYLES } from './styles.js';

export interface PublicIncident extends Incident {
  target: string;
  group: string;
}

export interface StatusPage {
  html: string;
  json: string;
}

type PublicState = 'operational' | 'problem' | 'unknown';

/** One service as customers see it: a target of a group, whichever accounts probe it. */
interface Service {
  name: string;
  title: string;
  group: string;
  state: PublicState;
  /** "Operational", "Not responding", "Secure connection failing", "Errors", "No recent data". */
  stateText: string;
  uptime: { d1?: Uptime; d7?: Uptime; d30?: Uptime };
  daily: DayUptime[];
  lastCheckMs?: number;
}

/** Sums two uptimes of the same window (the same service probed from two accounts). */
function addUptime(a: Uptime | undefined, b: Uptime | undefined): Uptime | undefined {
  if (!a || !b) return a ?? b;
  const done = a.done + b.done;
  const expected = a.expected + b.expected;
  return {
    ratio: done > 0 ? (a.successful + b.successful) / done : 0,
    ...(a.coverage !== undefined && b.coverage !== undefined ? { coverage: done / expected } : {}),
    expected,
    done,
    successful: a.successful + b.successful,
    failed: a.failed + b.failed,
    missing: a.missing + b.missing,
    downMs: a.downMs + b.downMs,
    coveredMs: a.coveredMs + b.coveredMs,
    gapMs: a.gapMs + b.gapMs,
  };
}

function services(overview: Overview, content: StatusPageContent): Service[] {
  const byName = new Map<string, TargetStatus[]>();
  for (const t of overview.targets) {
    const key = `${t.group}\u0000${t.target}`;
    byName.set(key, [...(byName.get(key) ?? []), t]);
  }
  return [...byName.values()].map((rows) => {
    const first = rows[0] as TargetStatus;
    const fresh = rows.filter((r) => r.state !== 'stale');
    const failing = fresh.find((r) => r.state === 'down');
    const state: PublicState = failing ? 'problem' : fresh.length ? 'operational' : 'unknown';
    const sum = (w: 'd1' | 'd7' | 'd30') => rows.reduce<Uptime | undefined>((acc, r) => addUptime(acc, r.uptime[w]), undefined);
    const days = (first.daily ?? []).map((d, i): DayUptime => {
      const u = rows.reduce<Uptime | undefined>((acc, r) => addUptime(acc, r.daily?.[i]?.uptime), undefined);
      return { startMs: d.startMs, ...(u ? { uptime: u } : {}) };
    });
    const uptime: Service['uptime'] = {};
    for (const w of ['d1', 'd7', 'd30'] as const) {
      const u = sum(w);
      if (u) uptime[w] = u;
    }
    const last = Math.max(...rows.map((r) => r.lastRunMs ?? 0));
    return {
      name: first.target,
      title: content.serviceTitles[first.target] ?? first.target,
      group: first.group,
      state,
      stateText: failing ? publicProblem(failing.reason) : state === 'operational' ? 'Operational' : 'No recent data',
      uptime,
      daily: days,
      ...(last > 0 ? { lastCheckMs: last } : {}),
    };
  });
}

/** "3 Nov, 14:05 UTC" — a date customers read, always UTC. */
function when(ms: number): string {
  const d = new Date(ms);
  const month = d.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' });
  return `${d.getUTCDate()} ${month} ${d.getUTCFullYear()}, ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')} UTC`;
}

/** "7 Dec 2026, 17:37–17:55 UTC" on one day, else both dates; "since …" while it lasts. */
function span(startMs: number, endMs: number | undefined): string {
  if (endMs === undefined) return `since ${when(startMs)}`;
  const a = when(startMs);
  const b = when(endMs);
  const day = (text: string) => text.slice(0, text.indexOf(','));
  return day(a) === day(b) ? `${a.replace(/ UTC$/, '')}–${b.slice(b.indexOf(',') + 2)}` : `${a} to ${b}`;
}

function headline(list: Service[]): Html {
  const problems = list.filter((s) => s.state === 'problem');
  const unknown = list.filter((s) => s.state === 'unknown');
  if (problems.length) {
    const names = problems.map((s) => s.title).join(', ');
    return html`<p class="banner problem" id="headline">${problems.length === 1 ? `${names} is having problems.` : `${problems.length} services are having problems: ${names}.`}</p>`;
  }
  if (unknown.length) return html`<p class="banner unknown" id="headline">We cannot check ${unknown.length === 1 ? unknown[0]?.title : `${unknown.length} services`} right now; the others are operating normally.</p>`;
  return html`<p class="banner ok" id="headline">All ${list.length === 1 ? 'services are' : `${list.length} services are`} operating normally.</p>`;
}

const KIND_TEXT: Record<StatusNote['kind'], string> = { incident: 'Incident', maintenance: 'Maintenance', info: 'Announcement' };

function notesSection(notes: StatusNote[], content: StatusPageContent, nowMs: number): Html {
  if (!notes.length) return html``;
  const items = notes.map((n) => {
    const upcoming = n.dateMs > nowMs;
    const about = n.services.map((s) => content.serviceTitles[s] ?? s);
    return html`<article class="note ${n.kind}"><header><span class="kind">${upcoming ? `Scheduled ${KIND_TEXT[n.kind].toLowerCase()}` : KIND_TEXT[n.kind]}</span> <time datetime="${new Date(n.dateMs).toISOString()}">${when(n.dateMs)}</time></header>
<h3>${n.title}</h3>${n.text ? n.text.split(/\n{2,}/).map((p) => html`<p>${p}</p>`) : ''}${about.length ? html`<p class="about">Affects: ${about.join(', ')}</p>` : ''}${
      n.untilMs !== undefined && upcoming ? html`<p class="about">Until ${when(n.untilMs)}</p>` : ''
    }</article>`;
  });
  return html`<section id="notes" aria-label="Announcements">${items}</section>`;
}

function figures(s: Service): Html {
  const u = s.uptime.d30;
  if (!u) return html`<div class="figures muted">No checks in the last 30 days</div>`;
  return html`<div class="figures"><span class="uptime" data-uptime="${u.ratio}">${percent(u.ratio)} uptime</span>${
    u.coverage !== undefined ? html` · <span class="coverage${u.coverage < 1 ? ' gap' : ''}" data-coverage="${u.coverage}">${percent(u.coverage)} coverage</span>` : ''
  } <span class="muted">over 30 days</span></div>`;
}

function serviceItem(s: Service, index: number): Html {
  const bars = s.daily.map((d) => ({ label: new Date(d.startMs).toISOString().slice(0, 10), uptime: d.uptime ?? null }));
  return html`<li class="service ${s.state}" data-service="${s.name}"><div class="line"><span class="name">${breakable(s.title)}</span><span class="state ${s.state}">${s.stateText}</span></div>
${bars.length ? availabilityBars(bars, { id: `days-${index}`, cls: 'days', height: 30 }) : ''}
<div class="axis"><span>30 days ago</span><span>today</span></div>${figures(s)}</li>`;
}

function servicesSection(list: Service[], content: StatusPageContent): Html {
  const groups = new Map<string, Service[]>();
  for (const s of list) groups.set(s.group, [...(groups.get(s.group) ?? []), s]);
  let index = 0;
  const sections = [...groups.entries()].map(
    ([group, items]) => html`<section class="group"><h2>${content.groupTitles[group] ?? group}</h2><ul class="services">${items.map((s) => serviceItem(s, index++))}</ul></section>`,
  );
  return html`<div id="services">${sections}</div>`;
}

function incidentsSection(incidents: PublicIncident[], content: StatusPageContent): Html {
  if (!incidents.length) return html`<h2>Incidents, last 7 days</h2><p class="empty" id="no-incidents">No incidents in the last 7 days.</p>`;
  const items = incidents.map((i) => {
    const title = content.serviceTitles[i.target] ?? i.target;
    return html`<li class="incident"><div class="line"><span class="name">${title}</span><span class="state ${i.endMs === undefined ? 'problem' : 'resolved'}">${publicProblem(i.reasons[0])}${i.endMs === undefined ? ' · ongoing' : ' · resolved'}</span></div>
<p class="muted">${span(i.startMs, i.endMs)} · ${humanDuration(i.durationMs)}</p></li>`;
  });
  return html`<h2>Incidents, last 7 days</h2><ul id="incidents" class="incidents">${items}</ul>`;
}

const MERGE_GAP_MS = 15 * 60_000;

const HOW =
  'Uptime is the share of our checks that succeeded; coverage is the share of scheduled checks that ran. ' +
  'A bar with a dashed outline is time nothing was checked — a gap in monitoring, not an outage.';

export function renderStatusPage(overview: Overview, incidentsIn: PublicIncident[], contentOrTitle: StatusPageContent | string = DEFAULT_TITLE): StatusPage {
  const content: StatusPageContent =
    typeof contentOrTitle === 'string' ? { title: contentOrTitle, groupTitles: {}, serviceTitles: {}, notes: [] } : contentOrTitle;
  const list = services(overview, content);
  // Failures less than 15 minutes apart are one disruption to a customer (a flapping endpoint is not thirty).
  const byService = new Map<string, PublicIncident[]>();
  for (const i of incidentsIn) byService.set(`${i.group}\u0000${i.target}`, [...(byService.get(`${i.group}\u0000${i.target}`) ?? []), i]);
  const incidents = [...byService.values()].flatMap((list) => mergeIncidents(list, MERGE_GAP_MS)).sort((a, b) => b.startMs - a.startMs);
  const notes = visibleNotes(content.notes, overview.generatedMs);
  const logo = content.logo ? html`<img class="logo" src="${content.logo}" alt="">` : html``;
  const body = html`<header class="page-head">${logo}<h1>${content.title}</h1></header>
${content.description ? html`<p class="description">${content.description}</p>` : ''}
${headline(list)}
${notesSection(notes, content, overview.generatedMs)}
${servicesSection(list, content)}
${incidentsSection(incidents, content)}
<footer><p>Updated ${when(overview.generatedMs)}. ${HOW}</p></footer>`;
  const htmlText = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(content.title)}</title><link rel="icon" href="data:,"><style>${STATUS_STYLES}</style></head>
<body><main>${body.text}</main></body></html>
`;
  const pct = (u: Uptime | undefined, key: 'ratio' | 'coverage') => (u?.[key] === undefined ? null : (u[key] as number) * 100);
  const json = JSON.stringify(
    {
      title: content.title,
      generated_at: new Date(overview.generatedMs).toISOString(),
      summary: { services: list.length, failing: list.filter((s) => s.state === 'problem').length, unknown: list.filter((s) => s.state === 'unknown').length },
      services: list.map((s) => ({
        service: s.name,
        title: s.title,
        group: content.groupTitles[s.group] ?? s.group,
        status: s.state,
        status_text: s.stateText,
        last_check: s.lastCheckMs !== undefined ? new Date(s.lastCheckMs).toISOString() : null,
        uptime_percent: { '24h': pct(s.uptime.d1, 'ratio'), '7d': pct(s.uptime.d7, 'ratio'), '30d': pct(s.uptime.d30, 'ratio') },
        coverage_percent: { '24h': pct(s.uptime.d1, 'coverage'), '7d': pct(s.uptime.d7, 'coverage'), '30d': pct(s.uptime.d30, 'coverage') },
        days: s.daily.map((d) => ({ date: new Date(d.startMs).toISOString().slice(0, 10), uptime_percent: pct(d.uptime, 'ratio'), coverage_percent: pct(d.uptime, 'coverage') })),
      })),
      notes: notes.map((n) => ({ date: new Date(n.dateMs).toISOString(), kind: n.kind, title: n.title, text: n.text ?? null, services: n.services, until: n.untilMs !== undefined ? new Date(n.untilMs).toISOString() : null })),
      incidents: incidents.map((i) => ({
        service: i.target,
        title: content.serviceTitles[i.target] ?? i.target,
        problem: publicProblem(i.reasons[0]),
        start: new Date(i.startMs).toISOString(),
        end: i.endMs !== undefined ? new Date(i.endMs).toISOString() : null,
        duration_seconds: i.durationMs / 1000,
      })),
    },
    null,
    2,
  );
  return { html: htmlText, json };
}

