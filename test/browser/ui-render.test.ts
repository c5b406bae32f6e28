// The pieces the pages are made of, on fixed inputs: values that break only at sensible points, vmui links,
// dates of status-page notes and which notes show; and the layout check itself, which must catch the
// layouts the issue saw (a header over its neighbour, a URL broken mid-word) on a page made to have them.
import { describe, expect, it } from 'vitest';
import { queryUrl } from '../../shared/alerting/evaluation/plan-notifications.js';
import { parseNoteDate, visibleNotes } from '../../shared/status-page/content.js';
import { breakable } from '../../shared/ui/html.js';
import { publicProblem, reasonPhrase } from '../../shared/ui/reasons.js';
import { launchBrowser } from '../support/browser.js';
import { checkLayout } from '../support/layout.js';

describe('breakable values', () => {
  it('offer a break after each URL separator and nowhere else, and keep the full value in a title when shortened', () => {
    expect(breakable('https://api.example.com/v1/orders?id=7&x=1').text).toBe(
      '<span class="brk">https:<wbr>/<wbr>/<wbr>api.<wbr>example.<wbr>com/<wbr>v1/<wbr>orders?<wbr>id=<wbr>7&#38;<wbr>x=<wbr>1</span>',
    );
    const long = `https://example.com/${'a'.repeat(60)}`;
    const shortened = breakable(long).text;
    expect(shortened).toContain(`title="${long}"`);
    expect(shortened).toContain('aaaaaaaaaaa…aaaaaaaaaaa');
    // Hex is cut into pieces, never shortened: every character of a fingerprint counts.
    expect(breakable('0123456789abcdef0123456789abcdef', { maxRun: 16, chunk: true }).text).toBe('<span class="brk hex">0123456789abcdef<wbr>0123456789abcdef</span>');
    expect(breakable('<b>"x"</b>').text).toBe('<span class="brk">&#60;b&#62;&#34;x&#34;&#60;/<wbr>b&#62;</span>');
  });
});

describe('vmui links', () => {
  it('point at …/vmui/#/ whether vmUiUrl names VictoriaMetrics or vmui itself', () => {
    const q = '?g0.expr=up&g0.range_input=1h&g0.tab=0';
    for (const base of ['https://vm.example.com', 'https://vm.example.com/', 'https://vm.example.com/vmui', 'https://vm.example.com/vmui/', 'https://vm.example.com/vmui/#/']) {
      expect(queryUrl(base, 'up')).toBe(`https://vm.example.com/vmui/#/${q}`);
    }
    expect(queryUrl('https://vm.example.com/select/0/vmui/', 'up')).toBe(`https://vm.example.com/select/0/vmui/#/${q}`);
  });
});

describe('failure reasons in words', () => {
  it('give customers three words and on-call a phrase, never a code', () => {
    expect([publicProblem('refused'), publicProblem('timeout'), publicProblem('tls_verify'), publicProblem('status_code'), publicProblem(undefined)]).toEqual([
      'Not responding',
      'Not responding',
      'Secure connection failing',
      'Errors',
      'Errors',
    ]);
    expect(reasonPhrase('status_code')).toBe('unexpected status code');
    expect(reasonPhrase('something_new')).toBe('something new');
  });
});

describe('status-page notes', () => {
  it('take dates as people write them, in UTC unless a zone is given, and refuse dates that do not exist', () => {
    expect(parseNoteDate('2026-11-03')).toBe(Date.UTC(2026, 10, 3));
    expect(parseNoteDate('2026-11-03 14:10')).toBe(Date.UTC(2026, 10, 3, 14, 10));
    expect(parseNoteDate('2026-11-03T14:10:05Z')).toBe(Date.UTC(2026, 10, 3, 14, 10, 5));
    expect(parseNoteDate('2026-11-03T14:10:05.250Z')).toBe(Date.UTC(2026, 10, 3, 14, 10, 5, 250));
    expect(parseNoteDate('2026-11-03T14:10+01:00')).toBe(Date.UTC(2026, 10, 3, 13, 10));
    for (const bad of ['2026-02-30', '2026-13-01', 'yesterday', '03.11.2026', '2026-11-03 25:00']) expect(parseNoteDate(bad)).toBeUndefined();
  });

  it('show for 14 days, or until their end, newest first, with upcoming maintenance', () => {
    const now = Date.UTC(2026, 10, 20);
    const day = 86_400_000;
    const note = (dateMs: number, title: string, untilMs?: number) => ({ dateMs, title, kind: 'info' as const, services: [], ...(untilMs !== undefined ? { untilMs } : {}) });
    const shown = visibleNotes([note(now - 20 * day, 'old'), note(now - 3 * day, 'recent'), note(now - 30 * day, 'pinned', now + day), note(now - 2 * day, 'over', now - day), note(now + 2 * day, 'upcoming')], now);
    expect(shown.map((n) => n.title)).toEqual(['upcoming', 'recent', 'pinned']);
  });
});

describe('the layout check', () => {
  it('reports a header over its neighbour, a cell whose content spills out and a URL broken mid-word', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.setViewport({ width: 1024, height: 600 });
      // The old overview's faults: a fixed 48 px column with a nowrap header, and overflow-wrap:anywhere.
      await page.setContent(`<main><table style="table-layout:fixed;width:600px;border-collapse:collapse">
<colgroup><col style="width:48px"><col></colgroup>
<thead><tr><th style="white-space:nowrap">failure reason</th><th>last probe</th></tr></thead>
<tbody><tr><td>ok</td><td style="overflow-wrap:anywhere;width:60px"><span class="brk" style="overflow-wrap:anywhere;display:inline-block;width:60px">https://example.com/healthz</span></td></tr></tbody></table></main>`);
      const report = await checkLayout(page);
      expect(report.problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^content wider than its cell .*th "failure reason"/),
          expect.stringMatching(/^text spills out of its cell: .*th "failure reason"/),
          expect.stringMatching(/^breaks mid-word between "\w" and "\w": .*https:\/\/example\.com\/healthz/),
        ]),
      );
      // The same values laid out as the UI does: nothing to report.
      await page.setContent(`<main><table style="table-layout:fixed;width:600px"><colgroup><col style="width:120px"><col></colgroup>
<thead><tr><th>failure reason</th><th>last probe</th></tr></thead>
<tbody><tr><td>ok</td><td>${breakable('https://example.com/healthz/a/long/path/of/many/parts').text}</td></tr></tbody></table></main>`);
      expect((await checkLayout(page)).problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 30_000);
});
