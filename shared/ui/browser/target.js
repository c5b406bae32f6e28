// Draws the target page's latency chart with uPlot (served from the package): the phases stacked, so the
// top edge is the whole request, or the total duration alone for modules without phases. Times are UTC on
// a 24-hour clock like the rest of the UI (uPlot's default is the browser's zone with am/pm). After each
// live refresh (live.js replaces the chart data) the chart is drawn again from the new data.
(function () {
  const el = document.getElementById('latency-chart');
  const colors = ['#8250df', '#0969da', '#1a7f37', '#bf8700', '#cf222e', '#57606a'];
  const ms = (v) => (v == null ? '—' : `${(v * 1000).toFixed(1)} ms`);
  const pad = (n) => String(n).padStart(2, '0');
  const utcDate = (sec) => new Date(sec * 1000);
  const hhmm = (d) => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  const mmdd = (d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const full = (sec) => `${mmdd(utcDate(sec))} ${hhmm(utcDate(sec))}:${pad(utcDate(sec).getUTCSeconds())} UTC`;
  const info = { id: 'latency-chart', series: 0, points: 0, drawn: false, xTicks: [], xValue: '' };
  window.periscopeCharts = [info];

  /** x-axis labels: HH:MM in UTC, the date under the first tick and under each midnight. */
  function xLabels(u, splits, axis, space, incr) {
    let previousDay = '';
    const labels = splits.map((sec) => {
      const d = utcDate(sec);
      const day = mmdd(d);
      // Seconds only when ticks are less than a minute apart.
      const time = incr < 60 ? `${hhmm(d)}:${pad(d.getUTCSeconds())}` : hhmm(d);
      const label = day !== previousDay ? `${time}\n${day.slice(5)}` : time;
      previousDay = day;
      return label;
    });
    info.xTicks = labels;
    return labels;
  }

  function read() {
    const data = JSON.parse(document.getElementById('chart-data').textContent);
    const times = (data.phases.names.length ? data.phases.timestamps : data.total.timestamps).map((t) => t / 1000);
    let layers;
    let names;
    if (data.phases.names.length) {
      names = data.phases.names;
      // Cumulative sums: layer i is the top of phases 0..i. A phase a run did not write counts as 0; a time
      // with no phase at all stays empty (a gap in the chart, not a drop to zero).
      const any = times.map((_, i) => data.phases.values.some((values) => values[i] != null));
      layers = [];
      let running = times.map(() => 0);
      for (const values of data.phases.values) {
        running = running.map((sum, i) => (any[i] ? sum + (values[i] == null ? 0 : values[i]) : null));
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
    return { times, layers, names, own, order, xFrom, xTo: data.toMs / 1000 };
  }

  let current = read();
  const range = { from: current.xFrom, to: current.xTo };
  function series(c) {
    return [{ value: (u, v) => (v == null ? '—' : full(v)) }].concat(
      c.order.map((i) => ({
        label: c.names[i],
        stroke: colors[i % colors.length],
        fill: `${colors[i % colors.length]}cc`,
        width: 1,
        value: (u, v, si, idx) => (idx == null ? '—' : ms(current.own[i][idx])),
      })),
    );
  }
  const width = () => Math.max(300, el.clientWidth - 8);
  function build() {
    return new uPlot(
      {
        width: width(),
        height: 260,
        series: series(current),
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        axes: [{ values: xLabels, size: 44 }, { values: (u, ticks) => ticks.map((v) => `${Math.round(v * 1000)} ms`), size: 70 }],
        scales: { x: { time: true, range: () => [range.from, range.to] }, y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 0.01] } },
        legend: { live: true },
      },
      [current.times].concat(current.order.map((i) => current.layers[i])),
      el,
    );
  }
  let chart = build();
  function describe() {
    info.series = current.order.length;
    info.points = current.times.length;
    info.drawn = current.times.length > 0;
    info.xValue = current.times.length ? full(current.times[current.times.length - 1]) : '';
  }
  describe();
  document.addEventListener('periscope:updated', () => {
    const next = read();
    range.from = next.xFrom;
    range.to = next.xTo;
    const sameSeries = next.names.join() === current.names.join();
    current = next;
    if (sameSeries) chart.setData([current.times].concat(current.order.map((i) => current.layers[i])));
    else {
      chart.destroy();
      chart = build();
    }
    describe();
  });
  window.addEventListener('resize', () => chart.setSize({ width: width(), height: 260 }));
  document.body.dataset.ready = '1';
})();
