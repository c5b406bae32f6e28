// The UI's stylesheet, served as /static/style.css. Layout for 1024–1920 px and up: fixed-layout tables
// whose numeric columns have fixed widths and whose text columns (target, failure, labels) share the rest,
// headers that wrap between words, and values that break only where a <wbr> allows (html.ts breakable()).
export const STYLES = `
:root{--bg:#f6f8fa;--card:#fff;--ink:#1f2328;--muted:#656d76;--line:#d0d7de;--up:#1a7f37;--up-bg:#dafbe1;--down:#cf222e;--down-bg:#ffebe9;--stale:#9a6700;--stale-bg:#fff8c5;--accent:#0969da;--head:#24292f;--gap:#57606a;--gap-bg:#eef1f4}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
header.top{background:var(--head);color:#fff;padding:.6rem 1.5rem;display:flex;gap:.6rem 1.5rem;align-items:center;flex-wrap:wrap}
header.top .brand{font-weight:700;font-size:1.05rem;color:#fff}
header.top nav a{color:#d0d7de;margin-right:1rem}header.top nav a.on{color:#fff;font-weight:600}
header.top .meta{margin-left:auto;color:#afb8c1;font-size:.85rem;overflow-wrap:anywhere}
.live{display:inline-flex;align-items:center;gap:.4rem;color:#afb8c1;font-size:.85rem;white-space:nowrap}
.live i{width:.55rem;height:.55rem;border-radius:50%;background:#2da44e;display:inline-block}
.live.stale{color:#ffb3ad;font-weight:600}.live.stale i{background:#cf222e}
.offline{background:var(--down-bg);color:var(--down);border-bottom:1px solid #ffcecb;padding:.5rem 1.5rem;font-weight:600}
main{padding:1.2rem 1.5rem;max-width:1760px;margin:0 auto}
h1{font-size:1.4rem;margin:.2rem 0 .8rem;overflow-wrap:normal}h2{font-size:1.05rem;margin:1.4rem 0 .5rem}
.cards{display:flex;gap:.8rem;flex-wrap:wrap;margin-bottom:1rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.6rem .9rem;min-width:8.5rem}
.card .v{font-size:1.5rem;font-weight:600;font-variant-numeric:tabular-nums}.card .l{color:var(--muted);font-size:.8rem}
.card.bad .v{color:var(--down)}.card.good .v{color:var(--up)}.card.warn .v{color:var(--stale)}
.toolbar{display:flex;gap:.6rem;align-items:center;margin:.4rem 0 .8rem;flex-wrap:wrap}
.toolbar input,.toolbar select{font:inherit;padding:.3rem .5rem;border:1px solid var(--line);border-radius:6px;background:#fff}
.toolbar input{min-width:18rem}
table{border-collapse:collapse;width:100%;background:var(--card);border:1px solid var(--line);border-radius:6px;overflow:hidden}
th,td{padding:.35rem .5rem;border-bottom:1px solid #eaeef2;text-align:left;vertical-align:top;overflow-wrap:normal;word-break:normal}
th{background:#f6f8fa;color:var(--muted);font-weight:600;font-size:.78rem;text-transform:uppercase;letter-spacing:.02em;white-space:normal}
th .sub{display:block;font-weight:400;text-transform:none;letter-spacing:0}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.num{white-space:nowrap}
table.fit{table-layout:fixed}
.brk{overflow-wrap:normal;word-break:normal}
.targets{background:var(--card);border:1px solid var(--line);border-radius:6px;overflow:hidden}
.targets table{border:0;border-radius:0;table-layout:fixed}
.targets.many .chunk{content-visibility:auto;contain-intrinsic-size:auto 1760px}
col.c-status{width:5.3rem}col.c-name{width:48%}col.c-failure{width:52%}col.c-last{width:5.1rem}col.c-win{width:6.3rem}col.c-lat{width:5.1rem}col.c-cert{width:4.8rem}
td.name .tlink{font-weight:600}
.inst{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.8rem;color:var(--ink)}
td.failure .msg,td .msg{color:var(--down)}
code.code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.75rem;color:var(--muted);background:#f6f8fa;border-radius:4px;padding:0 .25rem}
td.win .up,td.win .cov{display:block}
td.win .up{font-weight:600}
.cov{font-size:.75rem;color:var(--muted);font-weight:400}
.cov.gap{color:var(--gap);text-decoration:underline dotted}
td.lat span{display:block}
.grouphead{background:#eef1f4;font-weight:600;padding:.35rem .6rem;border-bottom:1px solid #eaeef2}
.grouphead .counts{font-weight:400;color:var(--muted);margin-left:.6rem}
tr.down td{background:#fff6f6}
.pill{display:inline-block;padding:.05rem .5rem;border-radius:999px;font-size:.78rem;font-weight:600;text-transform:uppercase;white-space:nowrap}
.pill.up{background:var(--up-bg);color:var(--up)}.pill.down{background:var(--down-bg);color:var(--down)}.pill.stale{background:var(--stale-bg);color:var(--stale)}
.pill.firing{background:var(--down-bg);color:var(--down)}.pill.pending{background:var(--stale-bg);color:var(--stale)}
.reason{color:var(--down)}
.muted{color:var(--muted)}.small{font-size:.82rem}
.bad{color:var(--down);font-weight:600}.warn{color:var(--stale);font-weight:600}.good{color:var(--up)}
.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85rem}
.panel{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.8rem 1rem;margin-bottom:1rem}
.chips{display:inline}
.chip{display:inline-block;max-width:100%;background:#eef1f4;border-radius:4px;padding:0 .3rem;margin:0 .2rem .2rem 0;font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.75rem}
table.alerts col.c-state{width:5.6rem}table.alerts col.c-alert{width:34%}table.alerts col.c-sev{width:5.8rem}table.alerts col.c-target{width:30%}table.alerts col.c-labels{width:36%}table.alerts col.c-time{width:7.4rem}
table.history col.c-alert{width:30%}table.history col.c-target{width:30%}table.history col.c-labels{width:40%}table.history col.c-time{width:6.6rem}table.history col.c-dur{width:6.2rem}
#incidents col.c-time{width:7rem}#incidents col.c-dur{width:6.2rem}#incidents col.c-runs{width:5.6rem}
.summary{margin-top:.15rem}
.description{margin-top:.15rem}
time.stamp{display:inline-block;white-space:normal}time.stamp span{display:inline-block;white-space:nowrap}
table.figures{width:auto;min-width:min(100%,44rem)}
.info{overflow-wrap:normal}
.bars{display:block;width:100%;height:28px;margin:.3rem 0}
.bars.days{height:34px}
.bars .fill,.bars g.ok rect.fill{fill:#2da44e}.bars g.part rect.fill{fill:#d4a72c}.bars g.fail rect.fill{fill:#cf222e}
.bars rect.gap,.bars g.gap rect{fill:var(--gap-bg);stroke:#8c959f;stroke-width:.6;stroke-dasharray:2 1.5}
.bars g.none rect{fill:#eaeef2}
.strip-axis{display:flex;justify-content:space-between;color:var(--muted);font-size:.75rem}
.bar-legend{margin-top:.3rem}.bar-legend .key{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;margin:0 .25rem 0 .8rem;vertical-align:-.1rem}
.bar-legend .key:first-child{margin-left:0}
.key.ok{background:#2da44e}.key.part{background:#d4a72c}.key.fail{background:#cf222e}.key.gap{background:var(--gap-bg);outline:1px dashed #8c959f;outline-offset:-1px}
.wf{display:grid;grid-template-columns:7rem minmax(0,1fr) 5.5rem;gap:.25rem .6rem;align-items:center}
.wf svg.bar{display:block;width:100%;height:14px}.wf svg.bar rect{fill:var(--accent)}.wf svg.bar rect.track{fill:#eaeef2}
.grid2{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:1rem}@media(max-width:1100px){.grid2{grid-template-columns:minmax(0,1fr)}}
.kv{display:grid;grid-template-columns:10rem minmax(0,1fr);gap:.25rem .8rem}.kv dt{color:var(--muted)}.kv dd{margin:0}
.kv.spaced{margin-top:.8rem}
.range-links{font-weight:400;margin-left:.6rem}
.empty{color:var(--muted);padding:.6rem 0}
.legend{margin-top:.6rem}
.chart{min-height:260px}
.uplot{font-family:inherit}
@media(min-width:1400px){col.c-status{width:6rem}col.c-last{width:6rem}col.c-win{width:7.6rem}col.c-lat{width:6rem}col.c-cert{width:6rem}table.alerts col.c-time{width:9rem}}
@media(max-width:1300px){main{padding:1rem}header.top{padding:.6rem 1rem}.toolbar input{min-width:14rem}}
`;
