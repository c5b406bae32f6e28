// The status page's stylesheet, inlined into the static page (no file beside it in the bucket). Narrow
// first: a phone at 390 px reads it as well as a desktop; the bars share the bar styles of the UI.
export const STATUS_STYLES = `
:root{--ink:#1f2328;--muted:#57606a;--line:#d0d7de;--ok:#1a7f37;--ok-bg:#dafbe1;--bad:#cf222e;--bad-bg:#ffebe9;--unknown:#9a6700;--unknown-bg:#fff8c5;--gap:#57606a;--gap-bg:#eef1f4}
*{box-sizing:border-box}
body{margin:0;background:#f6f8fa;color:var(--ink);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:52rem;margin:0 auto;padding:1.5rem 1rem 2.5rem}
.page-head{display:flex;align-items:center;gap:.8rem;margin-bottom:.3rem}
.logo{max-height:2.6rem;max-width:10rem;width:auto}
h1{font-size:1.6rem;margin:0;overflow-wrap:normal}
h2{font-size:1.1rem;margin:1.8rem 0 .6rem}
h3{font-size:1rem;margin:.2rem 0}
.description{color:var(--muted);margin:.3rem 0 1rem}
.banner{border-radius:8px;padding:.9rem 1rem;font-weight:600;margin:1rem 0}
.banner.ok{background:var(--ok-bg);color:var(--ok)}.banner.problem{background:var(--bad-bg);color:var(--bad)}.banner.unknown{background:var(--unknown-bg);color:var(--unknown)}
#notes{display:grid;gap:.7rem;margin:1rem 0}
.note{background:#fff;border:1px solid var(--line);border-left:4px solid #0969da;border-radius:8px;padding:.7rem 1rem}
.note.incident{border-left-color:var(--bad)}.note.maintenance{border-left-color:#9a6700}
.note header{font-size:.85rem;color:var(--muted)}.note .kind{font-weight:600;color:var(--ink)}
.note p{margin:.3rem 0}.note .about{font-size:.85rem;color:var(--muted)}
.group{background:#fff;border:1px solid var(--line);border-radius:8px;padding:.2rem 1rem;margin-bottom:1rem}
.group h2{margin:.8rem 0 .2rem;font-size:1.05rem}
ul.services,ul.incidents{list-style:none;margin:0;padding:0}
li.service{padding:.8rem 0;border-top:1px solid #eaeef2}
.group h2+ul li.service:first-child{border-top:0}
.line{display:flex;justify-content:space-between;align-items:baseline;gap:.8rem;flex-wrap:wrap}
.name{font-weight:600;overflow-wrap:normal;word-break:normal}
.state{font-weight:600;white-space:nowrap}.state.operational{color:var(--ok)}.state.problem{color:var(--bad)}.state.unknown{color:var(--unknown)}.state.resolved{color:var(--muted)}
.axis{display:flex;justify-content:space-between;align-items:baseline;gap:.5rem;color:var(--muted);font-size:.78rem;flex-wrap:wrap}
.figures{font-size:.85rem;color:var(--muted);margin-top:.15rem}.figures .uptime{color:var(--ink);font-weight:600;white-space:nowrap}.figures .coverage{white-space:nowrap}.figures .coverage.gap{color:var(--gap);text-decoration:underline dotted}
.bars{display:block;width:100%;height:30px;margin:.45rem 0 .2rem}
.bars g.ok rect.fill{fill:#2da44e}.bars g.part rect.fill{fill:#d4a72c}.bars g.fail rect.fill{fill:#cf222e}
.bars rect.gap,.bars g.gap rect{fill:var(--gap-bg);stroke:#8c959f;stroke-width:.6;stroke-dasharray:2 1.5}
.bars g.none rect{fill:#eef1f4}
li.incident{background:#fff;border:1px solid var(--line);border-radius:8px;padding:.6rem 1rem;margin-bottom:.5rem}
li.incident p{margin:.2rem 0 0;font-size:.9rem}
.muted{color:var(--muted)}.empty{color:var(--muted)}
footer{margin-top:2rem;color:var(--muted);font-size:.85rem}
@media(max-width:480px){main{padding:1rem .8rem 2rem}h1{font-size:1.3rem}.axis span:first-child,.axis span:last-child{font-size:.72rem}}
`;
