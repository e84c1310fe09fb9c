/**
 * Draws one lookup's fan-out as an SVG timeline: one row per upstream, a
 * bar from its start to its end coloured by tier and outcome, the answer
 * and the completed pool marked. Input is the worker's query log line, so
 * the picture shows exactly what the resolver recorded.
 */
import type { QueryLogLine } from './worker-process';

export interface TimelineInput {
  readonly title: string;
  readonly subtitle: string;
  readonly log: QueryLogLine;
  /** Configured (own) latency of each upstream in this lookup, for the row labels. */
  readonly ownLatency: ReadonlyMap<string, string>;
  /** Draw the fallback timer line here (tiered only). */
  readonly fallbackMs: number | null;
}

const WIDTH = 960;
const LABEL_WIDTH = 170;
const RIGHT_PAD = 30;
const ROW_HEIGHT = 20;
const BAR_HEIGHT = 12;
/** Room above the plot for the title, the subtitle and one line per marker label. */
const TOP = 104;
const MARKER_LABEL_Y = [60, 75, 90] as const;
const LEGEND_HEIGHT = 56;

const COLOURS = {
  activeOk: '#1f5fbf',
  backgroundOk: '#6fb1f2',
  failed: '#d1242f',
  cutOff: '#b0b0b0',
  answer: '#1a7f37',
  pool: '#8250df',
  fallback: '#9a6700',
  grid: '#e6e6e6',
  text: '#1f2328',
} as const;

export function timelineSvg(input: TimelineInput): string {
  const { log } = input;
  const rows = [
    ...log.upstreams.map((u) => ({ name: u.upstream, attempt: u })),
    ...log.notStarted.map((name) => ({ name, attempt: null })),
  ];
  const answerAt = log.upstreams.find((u) => u.upstream === log.winner && u.outcome === 'ok')?.end;
  const okEnds = log.upstreams.filter((u) => u.outcome === 'ok').map((u) => u.end);
  const poolAt = okEnds.length > 0 ? Math.max(...okEnds) : undefined;
  const maxT = Math.max(
    50,
    ...log.upstreams.map((u) => u.end),
    input.fallbackMs !== null ? input.fallbackMs : 0,
  );
  const step = tickStep(maxT);
  const axisMax = Math.ceil(maxT / step) * step;
  const plotWidth = WIDTH - LABEL_WIDTH - RIGHT_PAD;
  const x = (t: number) => LABEL_WIDTH + (t / axisMax) * plotWidth;
  const height = TOP + rows.length * ROW_HEIGHT + 30 + LEGEND_HEIGHT;
  const plotBottom = TOP + rows.length * ROW_HEIGHT;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12" fill="${COLOURS.text}">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="bold">${escapeXml(input.title)}</text>`,
    `<text x="12" y="42">${escapeXml(input.subtitle)}</text>`,
  );
  for (let t = 0; t <= axisMax; t += step) {
    parts.push(
      `<line x1="${x(t)}" y1="${TOP - 6}" x2="${x(t)}" y2="${plotBottom}" stroke="${COLOURS.grid}"/>`,
      `<text x="${x(t)}" y="${plotBottom + 16}" text-anchor="middle">${t}</text>`,
    );
  }
  parts.push(
    `<text x="${WIDTH - RIGHT_PAD}" y="${plotBottom + 30}" text-anchor="end">ms since the fan-out started</text>`,
  );
  rows.forEach((row, i) => {
    const y = TOP + i * ROW_HEIGHT;
    const own = input.ownLatency.get(row.name);
    parts.push(
      `<text x="12" y="${y + 14}">${escapeXml(row.name)}${own ? ` (${escapeXml(own)})` : ''}</text>`,
    );
    if (!row.attempt) {
      parts.push(`<text x="${x(0) + 4}" y="${y + 14}" fill="#6e7781">not asked</text>`);
      return;
    }
    const a = row.attempt;
    const colour =
      a.outcome === 'ok'
        ? a.tier === 'active'
          ? COLOURS.activeOk
          : COLOURS.backgroundOk
        : a.outcome.startsWith('timeout')
          ? COLOURS.cutOff
          : COLOURS.failed;
    const width = Math.max(2, x(a.end) - x(a.start));
    parts.push(
      `<rect x="${x(a.start)}" y="${y + (ROW_HEIGHT - BAR_HEIGHT) / 2}" width="${width}" height="${BAR_HEIGHT}" rx="2" fill="${colour}"><title>${escapeXml(`${a.upstream} ${a.tier} ${a.start}–${a.end} ms ${a.outcome}`)}</title></rect>`,
      `<text x="${x(a.start) + width + 4}" y="${y + 14}" font-size="10" fill="#57606a">${escapeXml(a.outcome === 'ok' ? `${a.end - a.start} ms` : a.outcome)}</text>`,
    );
  });
  const marker = (t: number, colour: string, label: string, slot: 0 | 1 | 2, dash = '') => {
    const nearRight = x(t) > WIDTH - 220;
    const tx = nearRight ? x(t) - 4 : x(t) + 4;
    parts.push(
      `<line x1="${x(t)}" y1="${MARKER_LABEL_Y[slot] - 10}" x2="${x(t)}" y2="${plotBottom}" stroke="${colour}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`,
      `<text x="${tx}" y="${MARKER_LABEL_Y[slot]}" fill="${colour}" font-size="11"${nearRight ? ' text-anchor="end"' : ''}>${escapeXml(label)}</text>`,
    );
  };
  if (input.fallbackMs !== null) {
    marker(input.fallbackMs, COLOURS.fallback, `fallback timer ${input.fallbackMs} ms`, 0, '5,4');
  }
  if (answerAt !== undefined) marker(answerAt, COLOURS.answer, `answer sent at ${answerAt} ms`, 1);
  if (poolAt !== undefined) {
    marker(poolAt, COLOURS.pool, `last answer merged (pool complete) at ${poolAt} ms`, 2, '2,3');
  }
  const legend: [string, string][] = [
    [COLOURS.activeOk, 'active tier, answered'],
    [COLOURS.backgroundOk, 'background tier, answered'],
    [COLOURS.failed, 'failed (SERVFAIL, refused, …)'],
    [COLOURS.cutOff, 'cut off at the deadline'],
  ];
  const ly = plotBottom + 44;
  legend.forEach(([colour, label], i) => {
    const lx = 12 + i * 230;
    parts.push(
      `<rect x="${lx}" y="${ly}" width="14" height="10" fill="${colour}"/>`,
      `<text x="${lx + 20}" y="${ly + 9}">${escapeXml(label)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function tickStep(maxT: number): number {
  for (const step of [10, 20, 25, 50, 100, 200, 250, 500, 1000]) {
    if (maxT / step <= 12) return step;
  }
  return 2000;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
