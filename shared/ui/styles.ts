// The pages' stylesheet: a TypeScript string so the status-page Lambda can inline it without files beside
// its bundle; the UI server serves the same text as /static/style.css.
export const STYLES = `
:root{--bg:#f6f8fa;--card:#fff;--ink:#1f2328;--muted:#656d76;--line:#d0d7de;--up:#1a7f37;--up-bg:#dafbe1;--down:#cf222e;--down-bg:#ffebe9;--stale:#9a6700;--stale-bg:#fff8c5;--accent:#0969da;--head:#24292f}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
header.top{background:var(--head);color:#fff;padding:.6rem 1.5rem;display:flex;gap:1.5rem;align-items:center}
header.top .brand{font-weight:700;font-size:1.05rem;color:#fff}
header.top nav a{color:#d0d7de;margin-right:1rem}header.top nav a.on{color:#fff;font-weight:600}
header.top .meta{margin-left:auto;color:#afb8c1;font-size:.85rem}
main{padding:1.2rem 1.5rem;max-width:1500px}
h1{font-size:1.4rem;margin:.2rem 0 .8rem}h2{font-size:1.05rem;margin:1.4rem 0 .5rem}
.cards{display:flex;gap:.8rem;flex-wrap:wrap;margin-bottom:1rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.6rem .9rem;min-width:8.5rem}
.card .v{font-size:1.5rem;font-weight:600;font-variant-numeric:tabular-nums}.card .l{color:var(--muted);font-size:.8rem}
.card.bad .v{color:var(--down)}.card.good .v{color:var(--up)}.card.warn .v{color:var(--stale)}
.toolbar{display:flex;gap:.6rem;align-items:center;margin:.4rem 0 .8rem;flex-wrap:wrap}
.toolbar input,.toolbar select{font:inherit;padding:.3rem .5rem;border:1px solid var(--line);border-radius:6px;background:#fff}
.toolbar input{min-width:18rem}
table{border-collapse:collapse;width:100%;background:var(--card);border:1px solid var(--line);border-radius:6px;overflow:hidden}
th,td{padding:.35rem .6rem;border-bottom:1px solid #eaeef2;text-align:left;vertical-align:top}
th{background:#f6f8fa;color:var(--muted);font-weight:600;font-size:.8rem;text-transform:uppercase;letter-spacing:.02em}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.targets{background:var(--card);border:1px solid var(--line);border-radius:6px;overflow:hidden}
.targets table{border:0;border-radius:0;table-layout:fixed}
.targets td{overflow-wrap:anywhere}
.targets .chunk{content-visibility:auto}
.grouphead{background:#eef1f4;font-weight:600;padding:.35rem .6rem;border-bottom:1px solid #eaeef2}
.grouphead .counts{font-weight:400;color:var(--muted);margin-left:.6rem}
tr.down td{background:#fff6f6}
.pill{display:inline-block;padding:.05rem .5rem;border-radius:999px;font-size:.78rem;font-weight:600;text-transform:uppercase}
.pill.up{background:var(--up-bg);color:var(--up)}.pill.down{background:var(--down-bg);color:var(--down)}.pill.stale{background:var(--stale-bg);color:var(--stale)}
.pill.firing{background:var(--down-bg);color:var(--down)}.pill.pending{background:var(--stale-bg);color:var(--stale)}
.reason{color:var(--down);font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85rem}
.muted{color:var(--muted)}.small{font-size:.82rem}
.bad{color:var(--down);font-weight:600}.warn{color:var(--stale);font-weight:600}.good{color:var(--up)}
.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85rem;word-break:break-all}
.panel{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.8rem 1rem;margin-bottom:1rem}
.strip{display:flex;gap:1px;height:28px;margin:.3rem 0}.strip span{flex:1;border-radius:2px;background:#eaeef2}
.strip span.ok{background:#2da44e}.strip span.part{background:#d4a72c}.strip span.fail{background:#cf222e}
.strip-axis{display:flex;justify-content:space-between;color:var(--muted);font-size:.75rem}
.wf{display:grid;grid-template-columns:9rem 1fr 6rem;gap:.25rem .6rem;align-items:center}
.wf .bar{height:14px;background:#eaeef2;position:relative;border-radius:2px}
.wf .bar i{position:absolute;top:0;bottom:0;border-radius:2px;background:var(--accent)}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:1rem}@media(max-width:1000px){.grid2{grid-template-columns:1fr}}
.kv{display:grid;grid-template-columns:11rem 1fr;gap:.25rem .8rem}.kv dt{color:var(--muted)}.kv dd{margin:0}
.empty{color:var(--muted);padding:.6rem 0}
.chart{min-height:260px}
.uplot{font-family:inherit}
`;
