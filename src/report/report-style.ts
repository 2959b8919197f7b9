/**
 * The report's stylesheet: light and dark (`prefers-color-scheme`), a print stylesheet
 * that expands everything, and a layout that works at phone width. System fonts only:
 * the report loads nothing.
 */

const LIGHT = `--bg:#fff;--fg:#1d2127;--muted:#5d6571;--line:#d8dde4;--panel:#f5f7f9;--code:#f1f3f6;--log:#fafbfc;
--ok:#1c7f45;--ok-bg:#e6f4ec;--bad:#c4302b;--bad-bg:#fcebea;--warn:#a86200;--warn-bg:#fdf3e1;--live:#1f66c9;--live-bg:#e6effb;
--rb:#7446c2;--rb-bg:#f0eafa;--fin:#0b7f86;--fin-bg:#e2f3f4;--wait:#a7afba;--stderr:#b42318;--link:#1f5fbf;
--a0:#1d2127;--a1:#c4302b;--a2:#1a7f37;--a3:#946200;--a4:#0a61c9;--a5:#7d4dd6;--a6:#177a80;--a7:#6b7380;
--a8:#58606b;--a9:#de4a44;--a10:#2a9a4c;--a11:#b07c00;--a12:#2f80e6;--a13:#9d6bee;--a14:#2b8fa3;--a15:#8d949e;`;

const DARK = `--bg:#14171b;--fg:#e3e6ea;--muted:#9aa2ad;--line:#30353d;--panel:#1b1f24;--code:#20252b;--log:#0f1216;
--ok:#45c07a;--ok-bg:#15291e;--bad:#f26b64;--bad-bg:#33191a;--warn:#e6a23c;--warn-bg:#30240f;--live:#5f9ff2;--live-bg:#152238;
--rb:#a98bf2;--rb-bg:#251d36;--fin:#3fc0c6;--fin-bg:#12292b;--wait:#5f6873;--stderr:#ff8b84;--link:#7fb0f5;
--a0:#5b636e;--a1:#ff7b72;--a2:#3fb950;--a3:#d29922;--a4:#58a6ff;--a5:#bc8cff;--a6:#39c5cf;--a7:#b1bac4;
--a8:#6e7681;--a9:#ffa198;--a10:#56d364;--a11:#e3b341;--a12:#79c0ff;--a13:#d2a8ff;--a14:#56d4dd;--a15:#f0f6fc;`;

const ANSI = Array.from({ length: 16 }, (_, i) => `.xf${i}{color:var(--a${i})}.xg${i}{background-color:var(--a${i})}`).join('');

/** The fixed part of the stylesheet (positions and extended colours are appended per report). */
export const REPORT_STYLE = `:root{color-scheme:light dark;${LIGHT}}
@media (prefers-color-scheme:dark){:root{${DARK}}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.page{max-width:1120px;margin:0 auto;padding:1.25rem 1.25rem 3rem}
code,pre,.sid,.host,.tick{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono","Liberation Mono",monospace}
code{font-size:.9em;background:var(--code);padding:.05em .3em;border-radius:4px;overflow-wrap:anywhere}
a{color:var(--link)}
h2{font-size:1.15rem;margin:2rem 0 .6rem;padding-bottom:.3rem;border-bottom:1px solid var(--line)}
h3{font-size:.95rem;margin:1rem 0 .4rem}
h4{font-size:.85rem;margin:.9rem 0 .3rem;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.muted{color:var(--muted)}.small{font-size:.85rem}
.top{border:1px solid var(--line);border-left:6px solid var(--muted);border-radius:10px;padding:1rem 1.25rem;background:var(--panel)}
.top.t-ok{border-left-color:var(--ok)}.top.t-bad{border-left-color:var(--bad)}.top.t-warn{border-left-color:var(--warn)}.top.t-live{border-left-color:var(--live)}
.brand{margin:0;font-size:.78rem;text-transform:uppercase;letter-spacing:.08em;color:var(--muted)}
h1{margin:.15rem 0 .3rem;font-size:1.6rem;overflow-wrap:anywhere}
.desc{white-space:pre-wrap;margin:.3rem 0 .8rem;overflow-wrap:anywhere}
.outcome{display:flex;flex-wrap:wrap;gap:.25rem .75rem;align-items:baseline;padding:.6rem .8rem;border-radius:8px;margin:.6rem 0 .9rem}
.outcome strong{font-size:1.15rem}
.outcome.t-ok{background:var(--ok-bg)}.outcome.t-ok strong{color:var(--ok)}
.outcome.t-bad{background:var(--bad-bg)}.outcome.t-bad strong{color:var(--bad)}
.outcome.t-warn{background:var(--warn-bg)}.outcome.t-warn strong{color:var(--warn)}
.outcome.t-live{background:var(--live-bg)}.outcome.t-live strong{color:var(--live)}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.4rem 0}
.facts dt{color:var(--muted)}.facts dd{margin:0;overflow-wrap:anywhere}
.top .facts{grid-template-columns:max-content 1fr max-content 1fr}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:.9rem}
.kv th,.kv td,.grid th,.grid td{text-align:left;padding:.25rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
.kv th{font-weight:500;color:var(--muted)}
.grid th{color:var(--muted);font-weight:600}
.grid tr.t-bad td{color:var(--bad)}
pre{margin:0}
.cmd{background:var(--code);padding:.6rem .8rem;border-radius:6px;white-space:pre-wrap;overflow-wrap:anywhere;font-size:.85rem}
.tools{display:flex;gap:.5rem;justify-content:flex-end;margin:.8rem 0 -1rem}
.tools button{font:inherit;font-size:.85rem;padding:.25rem .7rem;border:1px solid var(--line);border-radius:6px;background:var(--panel);color:var(--fg);cursor:pointer}
.legend{list-style:none;display:flex;flex-wrap:wrap;gap:.3rem 1rem;padding:0;margin:0 0 .6rem;font-size:.82rem;color:var(--muted)}
.legend li{display:flex;align-items:center;gap:.35rem}
.swatch{display:inline-block;width:1.4rem;height:.7rem;border-radius:3px}
.swatch.ok{background:var(--ok)}.swatch.failed{background:var(--bad)}.swatch.timedOut{background:var(--warn)}
.swatch.wait,.seg.wait{background:repeating-linear-gradient(135deg,var(--wait) 0 2px,var(--panel) 2px 5px)}
.swatch.rb{background:var(--rb)}.swatch.fin{background:var(--fin)}
.swatch.running,.seg.running,.seg.unfinished{background:repeating-linear-gradient(135deg,var(--live) 0 4px,var(--live-bg) 4px 8px)}
.seg.unfinished{background:repeating-linear-gradient(135deg,var(--warn) 0 4px,var(--warn-bg) 4px 8px)}
.tl{border:1px solid var(--line);border-radius:10px;padding:.6rem .8rem .8rem;margin-bottom:1rem;background:var(--panel)}
.tl-head{font-size:.9rem;margin-bottom:.3rem}
.tl-row{display:grid;grid-template-columns:minmax(7rem,15rem) 1fr;gap:.75rem;align-items:center;min-height:1.55rem}
.tl-row+.tl-row{border-top:1px dashed var(--line)}
.tl-label{display:flex;gap:.4rem;align-items:baseline;min-width:0;text-decoration:none;color:inherit;font-size:.82rem}
.tl-label .sid{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.tl-label .host{color:var(--muted);font-size:.9em;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
a.tl-label:hover .sid{text-decoration:underline}
.tl-track{position:relative;height:1.1rem}
.tl-axis{min-height:1.2rem}.tl-axis .tl-track{height:1.2rem;border-bottom:1px solid var(--line)}
.tick{position:absolute;top:0;font-size:.7rem;color:var(--muted);transform:translateX(-1px);border-left:1px solid var(--line);padding-left:3px;height:100%;white-space:nowrap}
.tick.end{transform:translateX(-100%);border-left:0;border-right:1px solid var(--line);padding:0 3px 0 0}
.bar{position:absolute;top:.15rem;bottom:.15rem;min-width:3px;border-radius:3px;overflow:hidden;background:var(--ok)}
.bar.rb{background:var(--rb);outline:1px solid var(--rb)}.bar.fin{background:var(--fin)}
.bar.skipped{background:transparent;outline:1px dashed var(--muted);min-width:6px}
.seg{position:absolute;top:0;bottom:0;min-width:1px}
.seg.ok{background:var(--ok)}.rb .seg.ok{background:var(--rb)}.fin .seg.ok{background:var(--fin)}
.seg.failed{background:var(--bad)}.seg.timedOut{background:var(--warn)}.seg.skipped{background:transparent}
.rb .seg.failed,.rb .seg.timedOut{background:repeating-linear-gradient(135deg,var(--bad) 0 4px,var(--rb) 4px 8px)}
.notrun .tl-label{color:var(--muted)}.notrun-text{font-size:.75rem;color:var(--muted);font-style:italic}
.step{border:1px solid var(--line);border-left:4px solid var(--muted);border-radius:8px;margin:.5rem 0;background:var(--bg)}
.step.t-ok{border-left-color:var(--ok)}.step.t-bad{border-left-color:var(--bad)}.step.t-warn{border-left-color:var(--warn)}.step.t-live{border-left-color:var(--live)}
.step.fin{border-left-style:double;border-left-width:6px}
.step>summary{display:flex;flex-wrap:wrap;align-items:center;gap:.3rem .6rem;padding:.5rem .8rem;cursor:pointer;list-style:none}
.step>summary::-webkit-details-marker{display:none}
.step>summary::before{content:"▸";color:var(--muted);width:.8rem}
.step[open]>summary::before{content:"▾"}
.step[open]>summary{border-bottom:1px solid var(--line)}
.sid{font-weight:600}.sname{color:var(--muted)}
.facts-inline{margin-left:auto;color:var(--muted);font-size:.85rem}
.badge{display:inline-block;font-size:.75rem;font-weight:600;padding:.05rem .5rem;border-radius:999px;background:var(--code);color:var(--muted);white-space:nowrap}
.badge.t-ok{background:var(--ok-bg);color:var(--ok)}.badge.t-bad{background:var(--bad-bg);color:var(--bad)}
.badge.t-warn{background:var(--warn-bg);color:var(--warn)}.badge.t-live{background:var(--live-bg);color:var(--live)}
.badge.rb{background:var(--rb-bg);color:var(--rb)}
.body{padding:.4rem .9rem .9rem}
.error{color:var(--bad);background:var(--bad-bg);padding:.4rem .6rem;border-radius:6px;white-space:pre-wrap;overflow-wrap:anywhere}
.error-text{color:var(--bad);overflow-wrap:anywhere}
.attempts,.decisions,.advice,.sessions,.notices,.lost{margin:.2rem 0;padding-left:1.3rem}
.attempts li,.decisions li,.advice li,.notices li{margin:.15rem 0}
.output{margin-top:.7rem}
.output>summary{cursor:pointer;font-size:.85rem;font-weight:600;margin-bottom:.3rem}
.log{background:var(--log);border:1px solid var(--line);border-radius:6px;padding:.5rem 0;max-height:34rem;overflow:auto;font-size:.8rem;line-height:1.45;white-space:pre-wrap;overflow-wrap:anywhere}
.log .l{display:block;min-height:1.45em;padding:0 .7rem 0 .6rem;border-left:3px solid transparent}
.log .l.e{border-left-color:var(--stderr);color:var(--stderr)}
.log .l.n{color:var(--muted);font-style:italic}
.log .l.gap{margin:.4rem 0;padding:.3rem .7rem;background:var(--warn-bg);color:var(--warn);border-left-color:var(--warn);font-style:italic}
.log .h{color:var(--muted);margin-right:.6em}.log .h::before{content:"["}.log .h::after{content:"]"}
.ctl{color:var(--warn);font-size:.85em}
.rollback{margin-top:1rem;padding:.5rem .8rem .7rem;border-radius:8px;background:var(--rb-bg);border-left:4px solid var(--rb)}
.rollback h4{color:var(--rb);margin-top:.2rem}
.rollback.t-bad{border-left-color:var(--bad)}.rollback.t-bad h4{color:var(--bad)}
#next{margin-top:2rem;border-top:1px solid var(--line)}
.cmd-inline{white-space:nowrap}
.xb{font-weight:700}.xd{opacity:.7}.xi{font-style:italic}.xu{text-decoration:underline}.xs{text-decoration:line-through}.xu.xs{text-decoration:underline line-through}
.xfi{color:var(--log)}.xgi{background-color:var(--fg)}
${ANSI}
@media (max-width:640px){
body{font-size:14px}.page{padding:.75rem .6rem 2rem}
h1{font-size:1.3rem}
.top{padding:.8rem}.top .facts,.facts{grid-template-columns:max-content 1fr}
.tl{padding:.5rem}
.tl-row{grid-template-columns:1fr;gap:0;padding:.2rem 0}
.tl-axis .tl-label{display:none}
.facts-inline{margin-left:0;width:100%}
.log{font-size:.75rem;max-height:24rem}
.cmd-inline{white-space:normal}
}
@media (prefers-reduced-motion:no-preference){.seg.running{animation:crawl 1s linear infinite;background-size:11.3px 11.3px}}
@keyframes crawl{to{background-position:11.3px 0}}
@media print{
:root{color-scheme:light;${LIGHT}}
body{font-size:11pt}.page{max-width:none;padding:0}
.tools{display:none}
details::details-content{content-visibility:visible;display:contents}
.log{max-height:none;overflow:visible;border-color:#ccc}
.tl-row,.step>summary,.facts,.rollback h4{break-inside:avoid}
.bar,.seg,.swatch,.badge,.outcome,.log .l.gap{-webkit-print-color-adjust:exact;print-color-adjust:exact}
a{color:inherit;text-decoration:none}
}`;
