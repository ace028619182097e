/**
 * `clara-runs report`: one static HTML page (no script, no external resource: a Content-Security-Policy
 * forbids any) with the newest run, the size of each domain over time (an inline SVG chart and a
 * table), the failures of each run, and each project's last good backup.
 */
import { fmtBytes } from '@clara/shared/log'
import type { ProjectBackup, RunFailure } from './history.js'
import { fmtAge, type RunFacts } from './run-facts.js'

export interface ReportData {
  root: string
  now: Date
  /** oldest first */
  runs: RunFacts[]
  failures: Map<string, RunFailure[]>
  projects: ProjectBackup[]
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
export const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => ESC[c])

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf']
const MAX_FAILURES_SHOWN = 3

const ageOf = (d: ReportData, r: { time: Date }) => fmtAge((d.now.getTime() - r.time.getTime()) / 1000)
const n = (v: number | null) => (v === null ? '–' : String(v))
const b = (v: number | null) => (v === null ? '–' : fmtBytes(v))

function newestSection(d: ReportData): string {
  const r = d.runs.at(-1)
  if (!r) return '<section id="newest"><h2>Newest run</h2><p>No run yet.</p></section>'
  const latest = d.runs.find((x) => x.latest)
  return `<section id="newest"><h2>Newest run</h2>
<p><strong id="newest-run">${esc(r.id)}</strong> — <span class="status ${esc(r.status)}">${esc(r.status)}</span>, ${esc(r.selection === 'full' ? 'the whole install' : r.selection)}, ${n(r.units)} units, ${b(r.bytes)} (${b(r.new_bytes)} new), ${n(r.failures)} failure(s), ${esc(ageOf(d, r))} ago.</p>
<p>latest → ${latest ? `<strong>${esc(latest.id)}</strong>` : 'nothing'}; ${d.runs.length} run(s) under ${esc(d.root)}.</p></section>`
}

/** An SVG line per domain: bytes of each run of the whole install, oldest left. */
function sizeChart(runs: RunFacts[], domains: string[]): string {
  const W = 900
  const H = 260
  const L = 70
  const B = 30
  const max = Math.max(1, ...runs.flatMap((r) => domains.map((dm) => r.domains[dm]?.bytes ?? 0)))
  const x = (i: number) => L + (runs.length < 2 ? (W - L) / 2 : (i * (W - L - 10)) / (runs.length - 1))
  const y = (v: number) => H - B - (v / max) * (H - B - 10)
  const lines = domains.map((dm, k) => {
    const pts = runs.map((r, i) => `${x(i).toFixed(1)},${y(r.domains[dm]?.bytes ?? 0).toFixed(1)}`).join(' ')
    return `<polyline fill="none" stroke="${COLORS[k % COLORS.length]}" stroke-width="2" points="${pts}"><title>${esc(dm)}</title></polyline>`
  })
  const ticks = [0, 0.5, 1].map((f) => `<text x="${L - 6}" y="${y(max * f) + 4}" text-anchor="end">${esc(fmtBytes(max * f))}</text>`)
  const labels = runs.length ? [0, runs.length - 1].map((i) => `<text x="${x(i)}" y="${H - 8}" text-anchor="middle">${esc(runs[i].id)}</text>`) : []
  return `<svg role="img" aria-label="size per domain over time" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">
<line x1="${L}" y1="${H - B}" x2="${W}" y2="${H - B}" stroke="#999"/><line x1="${L}" y1="10" x2="${L}" y2="${H - B}" stroke="#999"/>
${ticks.join('')}${labels.join('')}
${lines.join('\n')}</svg>
<p class="legend">${domains.map((dm, k) => `<span><i style="background:${COLORS[k % COLORS.length]}"></i>${esc(dm)}</span>`).join(' ')}</p>`
}

function sizesSection(d: ReportData): string {
  const runs = d.runs.filter((r) => r.units !== null)
  const domains = [...new Set(runs.flatMap((r) => Object.keys(r.domains)))]
  const head = `<tr><th>run</th>${domains.map((dm) => `<th>${esc(dm)}</th>`).join('')}<th>total</th><th>new</th></tr>`
  const rows = [...runs].reverse().map((r) => `<tr><td>${esc(r.id)}</td>${domains.map((dm) => `<td class="num">${r.domains[dm] ? esc(fmtBytes(r.domains[dm].bytes)) : '–'}</td>`).join('')}<td class="num">${b(r.bytes)}</td><td class="num">${b(r.new_bytes)}</td></tr>`)
  return `<section id="sizes"><h2>Size per domain over time</h2>
${sizeChart(runs.filter((r) => r.selection === 'full'), domains)}
<table>${head}${rows.join('\n')}</table></section>`
}

function failuresSection(d: ReportData): string {
  const max = Math.max(1, ...d.runs.map((r) => r.failures ?? 0))
  const rows = [...d.runs].reverse().map((r) => {
    const list = d.failures.get(r.id) ?? []
    const shown = list.slice(0, MAX_FAILURES_SHOWN).map((f) => `<li>${esc(f.domain)}/${esc(f.unit)}: ${esc(f.message)}</li>`).join('')
    const more = list.length > MAX_FAILURES_SHOWN ? `<li>… and ${list.length - MAX_FAILURES_SHOWN} more (failures.json)</li>` : ''
    const bar = `<span class="bar" style="width:${Math.round(((r.failures ?? 0) / max) * 120)}px"></span>`
    return `<tr><td>${esc(r.id)}</td><td class="status ${esc(r.status)}">${esc(r.status)}</td><td>${esc(r.selection)}</td><td class="num">${n(r.failures)}</td><td>${bar}</td><td><ul>${shown}${more}</ul></td></tr>`
  })
  return `<section id="failures"><h2>Failures per run</h2>
<table><tr><th>run</th><th>status</th><th>selection</th><th>failures</th><th></th><th>first failures</th></tr>
${rows.join('\n')}</table></section>`
}

function projectsSection(d: ReportData): string {
  const byId = new Map(d.runs.map((r) => [r.id, r]))
  const rows = d.projects.map((p) => {
    const good = p.last_good ? byId.get(p.last_good) : undefined
    const last = good ? `${esc(good.id)} (${esc(ageOf(d, good))} ago)` : '<strong>none</strong>'
    const fail = p.newer_failure ? `${esc(p.newer_failure.run)}: ${esc(p.newer_failure.message)}` : ''
    return `<tr><td>${esc(p.project)}</td><td>${esc(p.title ?? '')}</td><td>${last}</td><td>${esc(p.domains.join(', '))}</td><td>${fail}</td></tr>`
  })
  return `<section id="projects"><h2>Each project's last good backup</h2>
<table><tr><th>project</th><th>title</th><th>last good backup</th><th>in</th><th>failed since then</th></tr>
${rows.join('\n')}</table></section>`
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}td.num{text-align:right}
ul{margin:0;padding-left:1.2em}.status.complete{color:#2a7d2a}.status.partial{color:#b36b00}
.status.incomplete,.status.unfinished,.status.unreadable{color:#c00}.bar{display:inline-block;height:10px;background:#d62728}
.legend span{margin-right:1em}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}svg text{font-size:11px}`

/** The whole page. */
export function reportHtml(d: ReportData): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>clara-backup runs: ${esc(d.root)}</title><link rel="icon" href="data:,">
<style>${STYLE}</style></head>
<body><h1>Backup runs under ${esc(d.root)}</h1>
<p>Written by clara-runs at ${esc(d.now.toISOString())}.</p>
${newestSection(d)}
${sizesSection(d)}
${failuresSection(d)}
${projectsSection(d)}
</body></html>
`
}
