// The overview's filter: narrows the target rows as you type (text and status), without a reload, and
// again after each live refresh (live.js replaces the rows); "group by" reloads the page, which the server
// renders grouped. Plain browser script, no build step.
(function () {
  const form = document.getElementById('toolbar');
  const filter = document.getElementById('filter');
  const state = document.getElementById('state');
  const by = document.getElementById('by');
  const shown = document.getElementById('shown');
  const filtering = () => Boolean((filter && filter.value) || (state && state.value));
  function apply() {
    const rows = Array.from(document.querySelectorAll('tr.target'));
    const words = (filter ? filter.value : '').toLowerCase().split(/\s+/).filter(Boolean);
    const wanted = state ? state.value : '';
    let visible = 0;
    for (const row of rows) {
      const text = row.getAttribute('data-text') || '';
      const ok = words.every((w) => text.includes(w)) && (!wanted || row.getAttribute('data-state') === wanted);
      row.hidden = !ok;
      if (ok) visible++;
    }
    for (const part of document.querySelectorAll('#targets .chunk, #targets .section')) {
      part.hidden = !part.querySelector('tr.target:not([hidden])');
    }
    if (shown) shown.textContent = visible === rows.length ? `${rows.length} targets` : `${visible} of ${rows.length} targets`;
    const params = new URLSearchParams(location.search);
    if (filter && filter.value) params.set('q', filter.value);
    else params.delete('q');
    if (wanted) params.set('state', wanted);
    else params.delete('state');
    history.replaceState(null, '', `${location.pathname}${params.size ? `?${params}` : ''}`);
  }
  function count() {
    if (shown) shown.textContent = `${document.querySelectorAll('tr.target').length} targets`;
  }
  if (state) state.value = new URLSearchParams(location.search).get('state') || '';
  if (filter) filter.addEventListener('input', apply);
  if (state) state.addEventListener('change', apply);
  if (by && form) by.addEventListener('change', () => form.submit());
  // Touching a thousand rows forces a full layout: only when a filter is set.
  document.addEventListener('periscope:updated', () => (filtering() ? apply() : count()));
  if (filtering()) apply();
  else count();
  document.body.dataset.ready = '1';
})();
