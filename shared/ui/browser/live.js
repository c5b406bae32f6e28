// Keeps a page live: every data-refresh-ms it asks the server for the page's regions again (the page URL
// with ?live=1 answers them as JSON, rendered by the same code as the page) and replaces each
// [data-live] region in place — no reload, the filter and scroll position stay. The header says how old
// the data is; when the server stops answering (or cannot read VictoriaMetrics) a banner says so and the
// indicator turns to "offline". Plain browser script, no build step.
(function () {
  const live = document.getElementById('live');
  if (!live) return;
  const text = document.getElementById('live-text');
  const banner = document.getElementById('offline');
  const every = Number(live.getAttribute('data-refresh-ms')) || 10000;
  let generatedMs = Number(live.getAttribute('data-generated-ms')) || Date.now();
  // Ages are counted on this browser's clock from when an answer arrived, so a skewed server clock does not matter.
  let lastAnswer = Date.now();
  let failure = '';
  let timer;

  const utc = (ms) => `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  const age = (ms) => {
    const s = Math.max(0, Math.round(ms / 1000));
    return s < 90 ? `${s} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`;
  };

  function show() {
    const since = Date.now() - lastAnswer;
    const stale = failure !== '' || since > every * 2 + 5000;
    live.classList.toggle('stale', stale);
    live.title = `Data read at ${utc(generatedMs)}; the page reads again every ${Math.round(every / 1000)} s`;
    text.textContent = stale ? `offline · data ${age(since)} old` : `updated ${age(since)} ago`;
    if (banner) {
      banner.hidden = !stale;
      if (stale) {
        banner.textContent = `Not live: ${failure || 'no answer from the Periscope server'}. What you see was read at ${utc(generatedMs)} (${age(since)} ago); retrying every ${Math.round(every / 1000)} s.`;
      }
    }
  }

  async function poll() {
    const url = new URL(location.href);
    url.searchParams.set('live', '1');
    try {
      const controller = new AbortController();
      const abort = setTimeout(() => controller.abort(), Math.max(5000, every));
      let response;
      try {
        response = await fetch(url, { cache: 'no-store', headers: { accept: 'application/json' }, signal: controller.signal });
      } finally {
        clearTimeout(abort);
      }
      if (!response.ok) throw new Error(response.status === 502 ? 'the Periscope server cannot read VictoriaMetrics' : `the Periscope server answered HTTP ${response.status}`);
      const data = await response.json();
      for (const [name, markup] of Object.entries(data.regions || {})) {
        const region = document.querySelector(`[data-live="${name}"]`);
        if (!region) continue;
        if (region.tagName === 'SCRIPT') region.textContent = markup;
        else region.innerHTML = markup;
      }
      generatedMs = data.generatedMs || Date.now();
      lastAnswer = Date.now();
      failure = '';
      document.body.setAttribute('data-updates', String(Number(document.body.getAttribute('data-updates') || 0) + 1));
      document.dispatchEvent(new CustomEvent('periscope:updated'));
    } catch (err) {
      failure = err && err.name !== 'AbortError' && /Periscope server/.test(String(err.message)) ? err.message : 'no answer from the Periscope server';
    }
    show();
    schedule();
  }

  function schedule() {
    clearTimeout(timer);
    // A hidden tab does not poll; it reads again as soon as it is shown.
    if (!document.hidden) timer = setTimeout(poll, every);
  }

  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) poll();
    else clearTimeout(timer);
  });
  setInterval(show, 1000);
  show();
  schedule();
})();
