/**
 * Draws one fan-out trace as an SVG timeline (docs/operations.md §5): one row per
 * upstream, a bar from its start to its end coloured by outcome (solid for
 * the active tier, pale with an outline for the background tier), a line at
 * the moment the client got its answer, and an axis in ms. Pure: a trace in,
 * a self-contained SVG document out.
 *
 * The admin routes draw a trace as it is; the bench (`bench/index.ts`) draws
 * a lookup from the worker's query log through the same function, with its own
 * title, row labels and timer lines passed as `TraceSvgOptions`.
 */
import type { Trace, TraceAttempt } from './trace-store';

/** Wide enough for ten rows of labels and bars on a laptop screen, small enough to embed. */
const WIDTH = 900;
/** Upstream name (up to MAX_LABEL_CHARS) and its tier, left of the plot. */
const LABEL_WIDTH = 230;
/** The tier column: wide enough for "background" in 10 px type. */
const TIER_WIDTH = 64;
/** Room right of the plot for the last bar's "123 ms · timeout" note. */
const NOTE_WIDTH = 150;
const HEADER_HEIGHT = 78;
/** One line of header per extra marker, for its label. */
const MARKER_LINE_HEIGHT = 16;
const ROW_HEIGHT = 28;
const BAR_HEIGHT = 14;
const AXIS_HEIGHT = 48;
/** Rough advance of one 12 px character, to keep notes inside the picture. */
const CHAR_WIDTH = 7;
/** Upstream names longer than this are cut with an ellipsis (the full name is in the tooltip). */
const MAX_LABEL_CHARS = 20;

const COLORS = {
  ok: '#2f9e44',
  failure: '#e03131',
  answer: '#1c7ed6',
  text: '#212529',
  muted: '#868e96',
  grid: '#e9ecef',
} as const;

/** A vertical line at `at` ms with a label above the plot, e.g. a timer firing. */
export interface TraceMarker {
  readonly at: number;
  readonly label: string;
  /** Muted grey when absent. */
  readonly color?: string;
}

/** All optional: without them the picture shows the trace's own facts only. */
export interface TraceSvgOptions {
  /** In place of the query name and type. */
  readonly title?: string;
  /** In place of the line of facts (tenant, start, merge size, pool write). */
  readonly subtitle?: string;
  /** Row label per upstream name, in place of the name (e.g. with its configured latency). */
  readonly labels?: ReadonlyMap<string, string>;
  /** Drawn after the answer marker, each labelled on its own line above the plot. */
  readonly markers?: readonly TraceMarker[];
}

const PLOT_LEFT = LABEL_WIDTH;
const PLOT_RIGHT = WIDTH - NOTE_WIDTH;

export function traceSvg(trace: Trace, options: TraceSvgOptions = {}): string {
  const markers = options.markers ?? [];
  const rows = trace.attempts.length;
  const plotTop = HEADER_HEIGHT + markers.length * MARKER_LINE_HEIGHT;
  const plotBottom = plotTop + Math.max(rows, 1) * ROW_HEIGHT;
  const height = plotBottom + AXIS_HEIGHT;
  const { max, step } = axisScale(
    Math.max(
      1,
      trace.answeredAtMs ?? 0,
      ...trace.attempts.map((a) => a.endMs),
      ...markers.map((m) => m.at),
    ),
  );
  const x = (ms: number) => PLOT_LEFT + (ms / max) * (PLOT_RIGHT - PLOT_LEFT);

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12" fill="${COLORS.text}">`,
    `<title>${escapeXml(`${trace.name} ${trace.type}: fan-out timeline`)}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    ...header(trace, options),
  ];

  for (let ms = 0; ms <= max; ms += step) {
    const gx = round(x(ms));
    parts.push(
      `<line x1="${gx}" y1="${plotTop}" x2="${gx}" y2="${plotBottom}" stroke="${COLORS.grid}"/>`,
      `<line x1="${gx}" y1="${plotBottom}" x2="${gx}" y2="${plotBottom + 5}" stroke="${COLORS.muted}"/>`,
      `<text x="${gx}" y="${plotBottom + 18}" text-anchor="middle" fill="${COLORS.muted}">${ms}</text>`,
    );
  }
  parts.push(
    `<line x1="${PLOT_LEFT}" y1="${plotBottom}" x2="${PLOT_RIGHT}" y2="${plotBottom}" stroke="${COLORS.muted}"/>`,
    `<text x="${(PLOT_LEFT + PLOT_RIGHT) / 2}" y="${plotBottom + 38}" text-anchor="middle" fill="${COLORS.muted}">ms since the fan-out started</text>`,
  );

  if (rows === 0) {
    parts.push(
      `<text x="${PLOT_LEFT}" y="${plotTop + 18}" fill="${COLORS.muted}">no upstream was asked</text>`,
    );
  }
  trace.attempts.forEach((attempt, i) => {
    const label = options.labels?.get(attempt.upstream) ?? attempt.upstream;
    parts.push(row(attempt, label, plotTop + i * ROW_HEIGHT, x, attempt.upstream === trace.winner));
  });

  if (trace.answeredAtMs !== null) {
    const ax = round(x(trace.answeredAtMs));
    parts.push(
      `<g class="answer">`,
      `<line x1="${ax}" y1="${plotTop - 6}" x2="${ax}" y2="${plotBottom}" stroke="${COLORS.answer}" stroke-width="2" stroke-dasharray="5 3"/>`,
      `<text x="${ax}" y="${plotTop - 10}" text-anchor="middle" fill="${COLORS.answer}" font-weight="600">client answered · ${trace.answeredAtMs} ms</text>`,
      `</g>`,
    );
  }
  markers.forEach((marker, i) => {
    const mx = round(x(marker.at));
    const color = marker.color ?? COLORS.muted;
    const labelY = HEADER_HEIGHT - 10 + i * MARKER_LINE_HEIGHT;
    const width = marker.label.length * CHAR_WIDTH;
    const [lx, anchor] = mx + 6 + width <= WIDTH ? [mx + 6, 'start'] : [mx - 6, 'end'];
    parts.push(
      `<g class="marker">`,
      `<line x1="${mx}" y1="${labelY - 10}" x2="${mx}" y2="${plotBottom}" stroke="${color}" stroke-width="2" stroke-dasharray="2 3"/>`,
      `<text x="${lx}" y="${labelY}" text-anchor="${anchor}" fill="${color}">${escapeXml(marker.label)}</text>`,
      `</g>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Title, one line of facts, and the legend. */
function header(trace: Trace, options: TraceSvgOptions): string[] {
  const title = options.title ?? `${trace.name} ${trace.type}`;
  const facts =
    options.subtitle ??
    [
      `tenant ${trace.tenant}`,
      trace.startedAt,
      `merged ${trace.mergeSize} record${trace.mergeSize === 1 ? '' : 's'}`,
      `pool write ${trace.write ?? 'none'}`,
    ].join(' · ');
  const legend: [string, string][] = [
    [swatch(COLORS.ok, 'active'), 'usable answer'],
    [swatch(COLORS.failure, 'active'), 'failure'],
    [swatch(COLORS.muted, 'active'), 'active tier (solid)'],
    [swatch(COLORS.muted, 'background'), 'background tier (pale)'],
  ];
  let lx = 12;
  const items = legend.map(([shape, label]) => {
    const item = `<g transform="translate(${lx},44)">${shape}<text x="20" y="10">${label}</text></g>`;
    lx += 28 + label.length * CHAR_WIDTH;
    return item;
  });
  return [
    `<text x="12" y="20" font-size="15" font-weight="600">${escapeXml(title)}</text>`,
    `<text x="12" y="36" fill="${COLORS.muted}">${escapeXml(facts)}</text>`,
    ...items,
  ];
}

function swatch(color: string, tier: TraceAttempt['tier']): string {
  return `<rect width="14" height="12" rx="2" ${barPaint(color, tier)}/>`;
}

/** Active: solid. Background: pale fill with a solid outline, so the tier reads without colour. */
function barPaint(color: string, tier: TraceAttempt['tier']): string {
  return tier === 'active'
    ? `fill="${color}"`
    : `fill="${color}" fill-opacity="0.3" stroke="${color}" stroke-width="1.5"`;
}

function row(
  attempt: TraceAttempt,
  name: string,
  top: number,
  x: (ms: number) => number,
  isWinner: boolean,
): string {
  const color = attempt.outcome === 'ok' ? COLORS.ok : COLORS.failure;
  const middle = top + ROW_HEIGHT / 2;
  const x1 = round(x(attempt.startMs));
  // A bar narrower than 3 px disappears next to its outline.
  const width = Math.max(3, round(x(attempt.endMs) - x1));
  const label = name.length > MAX_LABEL_CHARS ? `${name.slice(0, MAX_LABEL_CHARS - 1)}…` : name;
  const note = `${attempt.endMs - attempt.startMs} ms · ${attempt.outcome}${isWinner ? ' · winner' : ''}`;
  // The reason goes in the tooltip only: it can be long, the bar's note cannot.
  const tooltip = `${attempt.upstream} (${attempt.tier}): ${note}${attempt.reason ? ` · ${attempt.reason}` : ''}`;
  return [
    `<g class="row" data-upstream="${escapeXml(attempt.upstream)}" data-tier="${attempt.tier}" data-outcome="${escapeXml(attempt.outcome)}">`,
    `<title>${escapeXml(tooltip)}</title>`,
    `<text x="${LABEL_WIDTH - TIER_WIDTH - 8}" y="${middle + 4}" text-anchor="end"${isWinner ? ' font-weight="600"' : ''}>${escapeXml(label)}</text>`,
    `<text x="${LABEL_WIDTH - TIER_WIDTH}" y="${middle + 4}" font-size="10" fill="${COLORS.muted}">${attempt.tier}</text>`,
    `<rect x="${x1}" y="${middle - BAR_HEIGHT / 2}" width="${width}" height="${BAR_HEIGHT}" rx="2" ${barPaint(color, attempt.tier)}/>`,
    noteText(note, x1, x1 + width, middle + 4, attempt.tier === 'active' ? '#fff' : COLORS.text),
    '</g>',
  ].join('');
}

/** The note right of the bar; left of it when it would leave the picture; inside as a last resort. */
function noteText(
  note: string,
  barStart: number,
  barEnd: number,
  y: number,
  insideColor: string,
): string {
  const width = note.length * CHAR_WIDTH;
  const [x, anchor, color] =
    barEnd + 8 + width <= WIDTH
      ? [barEnd + 8, 'start', COLORS.muted]
      : barStart - 6 - width >= PLOT_LEFT
        ? [barStart - 6, 'end', COLORS.muted]
        : [barEnd - 6, 'end', insideColor];
  return `<text x="${x}" y="${y}" text-anchor="${anchor}" fill="${color}">${escapeXml(note)}</text>`;
}

/** A round upper bound and tick step (1, 2 or 5 × 10ⁿ) giving about five ticks. */
function axisScale(end: number): { max: number; step: number } {
  const rough = end / 5;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude;
  const whole = Math.max(1, Math.round(step));
  return { max: Math.ceil(end / whole) * whole, step: whole };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
