// Availability bars (the target page's 24-hour strip, the 30 daily bars of the target and status pages) as
// one SVG: each bar's colour is the uptime of the runs in it, its filled height the coverage, and a bar
// without runs is drawn as a gap (dashed outline), never as an outage or as success. Leading bars without runs
// (before the target was first probed) are plain. SVG attributes, no style="", so a strict CSP allows it.
import { percent } from '../reporting/durations.js';
import type { Uptime } from '../reporting/uptime.js';
import { html, type Html } from './html.js';

export interface Bar {
  /** Shown in the bar's tooltip, e.g. "2026-11-03 14:00–14:15 UTC". */
  label: string;
  uptime: Uptime | null;
}

/** Uptime class of one bar: all runs fine, some failed, all failed. */
function barClass(u: Uptime): 'ok' | 'part' | 'fail' {
  return u.ratio >= 1 ? 'ok' : u.ratio > 0 ? 'part' : 'fail';
}

function barTitle(bar: Bar, before: boolean): string {
  const u = bar.uptime;
  if (!u) return `${bar.label}: ${before ? 'not probed yet' : 'no run: not monitored (a gap, not an outage)'}`;
  const coverage = u.coverage === undefined ? '' : `, coverage ${percent(u.coverage)}${u.missing ? ` (${u.missing} missing)` : ''}`;
  return `${bar.label}: uptime ${percent(u.ratio)} (${u.successful} of ${u.done} runs ok${u.failed ? `, ${u.failed} failed` : ''})${coverage}`;
}

/** The bars as an SVG that stretches to its container's width. */
export function availabilityBars(bars: readonly Bar[], options: { id: string; height?: number; cls?: string }): Html {
  const height = options.height ?? 28;
  const slot = 10;
  const gapPx = bars.length > 60 ? 1 : 2;
  const firstWithRuns = bars.findIndex((b) => b.uptime !== null);
  const rects = bars.map((bar, i) => {
    const x = i * slot;
    const w = slot - gapPx;
    const before = firstWithRuns === -1 || i < firstWithRuns;
    const title = html`<title>${barTitle(bar, before)}</title>`;
    const u = bar.uptime;
    if (!u) return html`<g class="bar ${before ? 'none' : 'gap'}" data-state="${before ? 'none' : 'gap'}"><rect x="${x}" y="0" width="${w}" height="${height}"></rect>${title}</g>`;
    const covered = u.coverage === undefined ? 1 : Math.max(0, Math.min(1, u.coverage));
    const filled = Math.max(2, Math.round(covered * height * 100) / 100);
    const state = barClass(u);
    // The unfilled top is the share of runs that did not happen: drawn as a gap above the bar.
    const top = height - filled > 0.5 ? html`<rect class="gap" x="${x}" y="0" width="${w}" height="${height - filled}"></rect>` : html``;
    return html`<g class="bar ${state}" data-state="${state}" data-coverage="${covered}">${top}<rect class="fill" x="${x}" y="${height - filled}" width="${w}" height="${filled}"></rect>${title}</g>`;
  });
  return html`<svg id="${options.id}" class="bars ${options.cls ?? ''}" viewBox="0 0 ${bars.length * slot - gapPx} ${height}" preserveAspectRatio="none" role="img" aria-label="availability">${rects}</svg>`;
}

export const BAR_LEGEND = html`<div class="bar-legend small muted"><span class="key ok"></span>all runs ok <span class="key part"></span>some failed <span class="key fail"></span>all failed <span class="key gap"></span>no run (monitoring gap)</div>`;
