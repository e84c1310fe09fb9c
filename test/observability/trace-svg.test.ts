/**
 * docs/operations.md §5: a trace drawn as an SVG timeline: one row per upstream, bars
 * coloured by outcome, the tier visible, a marker where the client got its
 * answer, and client-supplied names escaped.
 */
import { expect, it } from 'vitest';
import { TraceStore } from '../../src/observability/trace-store';
import { traceSvg } from '../../src/observability/trace-svg';
import { type AttemptSpec, lookupOf } from './lookup-fixtures';

function svgOf(attempts: AttemptSpec[], name = 'www.example.com'): string {
  return traceSvg(new TraceStore().add(lookupOf(attempts, { name })));
}

function rowsOf(svg: string): string[] {
  return svg.match(/<g class="row"[^>]*>/g) ?? [];
}

const FIVE: AttemptSpec[] = [
  { upstream: 'u1', start: 0, end: 18 },
  { upstream: 'u2', start: 0, end: 40, outcome: 'timeout' },
  { upstream: 'u3', start: 18, end: 60, tier: 'background' },
  { upstream: 'u4', start: 18, end: 30, tier: 'background', outcome: 'refused' },
  { upstream: 'u5', start: 68, end: 120, tier: 'background' },
];

it('draws one row per upstream, in start order, with its tier and outcome', () => {
  const svg = svgOf(FIVE);
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  expect(rowsOf(svg)).toEqual([
    '<g class="row" data-upstream="u1" data-tier="active" data-outcome="ok">',
    '<g class="row" data-upstream="u2" data-tier="active" data-outcome="timeout">',
    '<g class="row" data-upstream="u3" data-tier="background" data-outcome="ok">',
    '<g class="row" data-upstream="u4" data-tier="background" data-outcome="refused">',
    '<g class="row" data-upstream="u5" data-tier="background" data-outcome="ok">',
  ]);
});

it('colours failures differently from answers and draws background bars pale', () => {
  const svg = svgOf(FIVE);
  const bar = (upstream: string) =>
    new RegExp(`data-upstream="${upstream}"[^]*?<rect ([^>]*)/>`).exec(svg)?.[1] ?? '';
  const fill = (attrs: string) => /fill="(#[0-9a-f]{6})"/.exec(attrs)?.[1];
  expect(fill(bar('u1'))).toBe(fill(bar('u3')));
  expect(fill(bar('u2'))).not.toBe(fill(bar('u1')));
  expect(fill(bar('u2'))).toBe(fill(bar('u4')));
  expect(bar('u1')).not.toContain('fill-opacity');
  expect(bar('u3')).toContain('fill-opacity');
});

it('places bars on the time axis: a later start is further right, a longer attempt wider', () => {
  const svg = svgOf(FIVE);
  const geometry = (upstream: string) => {
    const attrs = new RegExp(`data-upstream="${upstream}"[^]*?<rect ([^>]*)/>`).exec(svg)?.[1];
    return {
      x: Number(/(?:^| )x="([\d.]+)"/.exec(attrs ?? '')?.[1]),
      width: Number(/width="([\d.]+)"/.exec(attrs ?? '')?.[1]),
    };
  };
  expect(geometry('u3').x).toBeGreaterThan(geometry('u1').x);
  expect(geometry('u5').x).toBeGreaterThan(geometry('u3').x);
  expect(geometry('u2').width).toBeGreaterThan(geometry('u1').width);
});

it('marks the moment the client got its answer, and nothing when no answer came', () => {
  const answered = svgOf(FIVE);
  expect(answered).toContain('<g class="answer">');
  expect(answered).toContain('client answered · 18 ms');
  const failed = svgOf([{ upstream: 'u1', start: 0, end: 9, outcome: 'refused' }]);
  expect(failed).not.toContain('class="answer"');
});

it('escapes upstream and query names', () => {
  const svg = svgOf(
    [{ upstream: '<script>alert("x")</script>&', start: 0, end: 5 }],
    "o'brien<b>.example",
  );
  expect(svg).not.toContain('<script>');
  expect(svg).not.toContain('<b>');
  expect(svg).toContain('data-upstream="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;"');
  expect(svg).toContain('o&apos;brien&lt;b&gt;.example');
});

it('says so when no upstream was asked', () => {
  const svg = svgOf([]);
  expect(rowsOf(svg)).toHaveLength(0);
  expect(svg).toContain('no upstream was asked');
});

it("puts a failed attempt's reason in its row's tooltip", () => {
  const svg = svgOf([
    { upstream: 'u1', start: 0, end: 8, outcome: 'network', reason: 'connect failed: <refused>' },
  ]);
  const title = /<g class="row"[^>]*><title>([^<]*)<\/title>/.exec(svg)?.[1];
  expect(title).toBe('u1 (active): 8 ms · network · connect failed: &lt;refused&gt;');
});
