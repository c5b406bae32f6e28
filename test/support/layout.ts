// What a person sees of a page's layout, measured in the browser: every table header and cell is shown
// (has a box), stays inside its table, does not overlap its neighbours and holds its content (nothing spills
// out); the page does not scroll sideways; and text breaks only where a reader expects — at spaces and
// hyphens, and in URLs, addresses and labels (`.brk`) also after `/ . ? & = : , ; _ @ # | +` — never in the
// middle of a word. Line breaks are found from the line boxes of each character (Range.getClientRects).
import type { Page } from 'puppeteer-core';

export interface LayoutReport {
  /** Cells, headers and text that break the rules above, each with where it is. */
  problems: string[];
  /** How many cells and headers were measured (so a page that lost its tables does not pass vacuously). */
  cells: number;
  /** How many breakable values (URLs, labels) were measured. */
  breakables: number;
}

// Runs in the page: plain browser JavaScript (the project compiles without the DOM library).
const CHECK = String.raw`(() => {
  const problems = [];
  const TOL = 1;
  const BREAK_AFTER = '/.?&=:,;_@#|+-';
  const visible = (el) => {
    const style = getComputedStyle(el);
    return style.display !== 'none' && style.visibility !== 'hidden' && !el.closest('[hidden]');
  };
  const where = (el) => {
    const cell = el.closest('td,th,dd,dt,h1,p,li') || el;
    const row = el.closest('tr');
    const table = el.closest('table,dl,section,div[id]');
    const text = (cell.innerText || cell.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 60);
    return (table && table.id ? '#' + table.id + ' ' : '') + (row ? 'row ' + row.rowIndex + ' ' : '') + cell.tagName.toLowerCase() + ' "' + text + '"';
  };
  let cells = 0;
  const tables = Array.from(document.querySelectorAll('main table')).filter(visible);
  for (const table of tables) {
    const t = table.getBoundingClientRect();
    for (const row of Array.from(table.rows).filter(visible)) {
      const boxes = Array.from(row.cells).map((cell) => ({ cell, r: cell.getBoundingClientRect() }));
      for (const { cell, r } of boxes) {
        cells++;
        if (!visible(cell) || r.width < 4 || r.height < 4) problems.push('not shown: ' + where(cell) + ' (' + Math.round(r.width) + 'x' + Math.round(r.height) + ')');
        if (r.left < t.left - TOL || r.right > t.right + TOL) problems.push('outside its table: ' + where(cell));
        if (cell.scrollWidth > cell.clientWidth + TOL) problems.push('content wider than its cell (' + cell.scrollWidth + ' > ' + cell.clientWidth + '): ' + where(cell));
        // Text and inline boxes inside the cell: none may reach past its edges.
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          if (!n.textContent.trim()) continue;
          const range = document.createRange();
          range.selectNodeContents(n);
          for (const b of range.getClientRects()) {
            if (b.width === 0) continue;
            if (b.left < r.left - TOL || b.right > r.right + TOL) {
              problems.push('text spills out of its cell: ' + where(cell) + ' ("' + n.textContent.trim().slice(0, 30) + '")');
              break;
            }
          }
        }
      }
      for (let i = 1; i < boxes.length; i++) {
        const a = boxes[i - 1].r;
        const b = boxes[i].r;
        if (a.right > b.left + TOL) problems.push('cells overlap: ' + where(boxes[i - 1].cell) + ' and ' + where(boxes[i].cell));
      }
    }
  }
  // Split tables (the overview's header table and its row chunks): each column lines up with its header.
  for (const head of Array.from(document.querySelectorAll('main table.head')).filter(visible)) {
    const ths = Array.from(head.querySelectorAll('th'));
    const container = head.parentElement;
    for (const row of Array.from(container.querySelectorAll('table.rows:not(.head) tr')).filter(visible)) {
      Array.from(row.cells).forEach((cell, i) => {
        const h = ths[i] && ths[i].getBoundingClientRect();
        const c = cell.getBoundingClientRect();
        if (!h) problems.push('cell without a header: ' + where(cell));
        else if (Math.abs(h.left - c.left) > 2 || Math.abs(h.right - c.right) > 2) problems.push('cell not under its header "' + ths[i].innerText.replace(/\s+/g, ' ') + '": ' + where(cell));
      });
    }
  }
  if (document.documentElement.scrollWidth > window.innerWidth + TOL) problems.push('page scrolls sideways: ' + document.documentElement.scrollWidth + ' px wide in a ' + window.innerWidth + ' px window');

  // Line breaks, character by character, in the text a person reads. A new line that starts in another box
  // (a block or inline-block element) is layout, not a break; inside one box a break must be at a space or a
  // hyphen, or in a breakable value after one of its separators (a <wbr>); in .hex after any <wbr>.
  const boxOf = (el) => {
    for (let e = el; e; e = e.parentElement) if (getComputedStyle(e).display !== 'inline') return e;
    return document.body;
  };
  const scope = Array.from(document.querySelectorAll('main, header.top')).filter(visible);
  let breakables = 0;
  for (const root of scope) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let prev = null;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const parent = n.parentElement;
      if (!parent || !visible(parent) || parent.closest('script,style,svg,.uplot,select,option')) { prev = null; continue; }
      const brk = parent.closest('.brk');
      const box = boxOf(parent);
      const text = n.textContent;
      for (let i = 0; i < text.length; i++) {
        const range = document.createRange();
        range.setStart(n, i);
        range.setEnd(n, i + 1);
        const rects = range.getClientRects();
        if (!rects.length) continue;
        const r = rects[0];
        const ch = text[i];
        if (prev && prev.box === box && r.top >= prev.bottom - 2 && r.left < prev.right) {
          const a = prev.ch;
          const atWbr = prev.node !== n && brk && prev.brk === brk;
          const ok = /\s/.test(a) || /\s/.test(ch) || a === '…' || ch === '…' || a === '-' || (atWbr && (BREAK_AFTER.includes(a) || brk.classList.contains('hex')));
          if (!ok) problems.push('breaks mid-word between "' + a + '" and "' + ch + '": ' + where(parent));
        }
        prev = { ch, bottom: r.bottom, right: r.right, brk, box, node: n };
      }
    }
    breakables += root.querySelectorAll('.brk').length;
  }
  // A shortened value keeps the full one in its title.
  for (const el of Array.from(document.querySelectorAll('.brk')).filter(visible)) {
    if ((el.textContent || '').includes('…') && !el.getAttribute('title')) problems.push('shortened without its full value in a title: ' + where(el));
  }
  return { problems: [...new Set(problems)], cells, breakables };
})()`;

export async function checkLayout(page: Page): Promise<LayoutReport> {
  return (await page.evaluate(CHECK)) as LayoutReport;
}
