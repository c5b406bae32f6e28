// Draws the target page's latency chart with uPlot (served from the package): the phases stacked, so the
// top edge is the whole request, or the total duration alone for modules without phases.
(function () {
  const data = JSON.parse(document.getElementById('chart-data').textContent);
  const el = document.getElementById('latency-chart');
  const colors = ['#8250df', '#0969da', '#1a7f37', '#bf8700', '#cf222e', '#57606a'];
  const ms = (v) => (v == null ? '—' : `${(v * 1000).toFixed(1)} ms`);
  const times = (data.phases.names.length ? data.phases.timestamps : data.total.timestamps).map((t) => t / 1000);
  let layers;
  let names;
  if (data.phases.names.length) {
    names = data.phases.names;
    // Cumulative sums: layer i is the top of phases 0..i.
    layers = [];
    let running = times.map(() => 0);
    for (const values of data.phases.values) {
      running = running.map((sum, i) => (values[i] == null || sum == null ? null : sum + values[i]));
      layers.push(running);
    }
  } else {
    names = ['total'];
    layers = [data.total.values];
  }
  // A target probed for less than the window is shown from its first probe, not as a sliver at the edge.
  const span = (data.toMs - data.fromMs) / 1000;
  const first = times.length ? times[0] : data.fromMs / 1000;
  const xFrom = first - data.fromMs / 1000 > span / 4 ? first - Math.max(30, (data.toMs / 1000 - first) * 0.05) : data.fromMs / 1000;
  const own = data.phases.names.length ? data.phases.values : layers;
  // Drawn top layer first so each lower layer paints over the one above it: a stacked area chart.
  const order = layers.map((_, i) => i).reverse();
  const series = [{}].concat(
    order.map((i) => ({
      label: names[i],
      stroke: colors[i % colors.length],
      fill: `${colors[i % colors.length]}cc`,
      width: 1,
      value: (u, v, si, idx) => (idx == null ? '—' : ms(own[i][idx])),
    })),
  );
  const chart = new uPlot(
    {
      width: Math.max(400, el.clientWidth - 8),
      height: 260,
      series,
      axes: [{}, { values: (u, ticks) => ticks.map((v) => `${Math.round(v * 1000)} ms`), size: 70 }],
      scales: { x: { time: true, range: () => [xFrom, data.toMs / 1000] }, y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 0.01] } },
      legend: { live: true },
    },
    [times].concat(order.map((i) => layers[i])),
    el,
  );
  window.periscopeCharts = [{ id: 'latency-chart', series: series.length - 1, points: times.length, drawn: times.length > 0 }];
  window.addEventListener('resize', () => chart.setSize({ width: Math.max(400, el.clientWidth - 8), height: 260 }));
  document.body.dataset.ready = '1';
})();
