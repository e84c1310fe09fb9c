/**
 * A small HTML page for one trace: the SVG timeline inline and the attempts
 * as a table, each failure with its reason. It sits behind the admin bearer
 * token; a browser opens it through the short-lived signed link in the
 * trace's JSON (`links.browserView`, see src/admin/signed-link.ts).
 */
import type { Trace } from './trace-store';
import { escapeXml, traceSvg } from './trace-svg';

/** The facts of a trace as label and value, for this page and the console's. */
export function traceFacts(trace: Trace): [string, string][] {
  return [
    ['tenant', trace.tenant],
    ['name', `${trace.name} ${trace.type}`],
    ['started', trace.startedAt],
    [
      'client answered',
      trace.answeredAtMs === null ? 'no usable answer' : `${trace.answeredAtMs} ms`,
    ],
    ['winner', trace.winner ?? 'none'],
    ['merged records', String(trace.mergeSize)],
    ['pool write', trace.write ?? 'none'],
    ['query version', trace.version],
    ['pool version after the write', trace.poolVersion ?? 'none'],
    ['not asked', trace.notStarted.join(', ') || 'none'],
  ];
}

export function tracePage(trace: Trace): string {
  const e = escapeXml;
  const facts = traceFacts(trace);
  const rows = trace.attempts.map(
    (a) =>
      `<tr><td>${e(a.upstream)}</td><td>${a.tier}</td><td>${a.startMs}</td><td>${a.endMs}</td>` +
      `<td>${a.endMs - a.startMs}</td><td>${e(a.outcome)}</td><td>${a.records}</td>` +
      `<td>${e(a.reason ?? '')}</td></tr>`,
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${e(`${trace.name} ${trace.type}`)} · trace ${e(trace.id)}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 24px; color: #212529; }
table { border-collapse: collapse; margin-top: 16px; }
th, td { padding: 4px 10px; border-bottom: 1px solid #dee2e6; text-align: left; }
td:nth-child(n+3):nth-child(-n+5), td:nth-child(7) { text-align: right; font-variant-numeric: tabular-nums; }
dl { display: grid; grid-template-columns: max-content auto; gap: 2px 12px; }
dt { color: #868e96; }
</style>
</head>
<body>
<h1>${e(`${trace.name} ${trace.type}`)}</h1>
<dl>${facts.map(([k, v]) => `<dt>${k}</dt><dd>${e(v)}</dd>`).join('')}</dl>
${traceSvg(trace)}
<table>
<thead><tr><th>upstream</th><th>tier</th><th>start ms</th><th>end ms</th><th>took ms</th><th>outcome</th><th>records</th><th>reason</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</body>
</html>
`;
}
