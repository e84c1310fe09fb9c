/**
 * RFC 8484 §4.1 / §6: DoH answers in `application/dns-message`; the JSON API
 * (Google/Cloudflare shape) answers in `application/dns-json`. A client whose
 * Accept header allows neither gets 406 instead of a body it cannot read.
 */
import { HttpError } from '../errors';

export const DNS_MESSAGE = 'application/dns-message';
export const DNS_JSON = 'application/dns-json';

export type ResponseFormat = 'wire' | 'json';

interface MediaRange {
  type: string;
  quality: number;
}

/**
 * Picks the response format from the Accept header among `offered`, which the
 * route lists in its order of preference: the first one wins when the client
 * does not care (no Accept, or a wildcard that ranks them equally).
 * Throws 406 when the client accepts none of them.
 */
export function negotiateFormat(
  accept: string | undefined,
  offered: readonly [ResponseFormat, ...ResponseFormat[]],
): ResponseFormat {
  if (!accept || accept.trim() === '') return offered[0];
  const ranges = parseAccept(accept);
  let best: ResponseFormat | null = null;
  let bestQuality = 0;
  for (const format of offered) {
    const quality = qualityOf(ranges, format);
    if (quality > bestQuality) {
      best = format;
      bestQuality = quality;
    }
  }
  if (!best) {
    const types = offered.map((f) => (f === 'wire' ? DNS_MESSAGE : DNS_JSON)).join(' or ');
    throw new HttpError(406, `not acceptable: this endpoint serves ${types}`);
  }
  return best;
}

function qualityOf(ranges: readonly MediaRange[], format: ResponseFormat): number {
  if (format === 'wire') return qualityFor(ranges, DNS_MESSAGE);
  // `application/json` is what browsers and fetch() callers send for JSON APIs.
  return Math.max(qualityFor(ranges, DNS_JSON), qualityFor(ranges, 'application/json'));
}

function parseAccept(accept: string): MediaRange[] {
  return accept.split(',').map((part) => {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const quality = q ? Number(q.slice(2)) : 1;
    return { type, quality: Number.isFinite(quality) ? quality : 0 };
  });
}

/** Quality of the most specific range matching `mediaType` (RFC 9110 §12.5.1). */
function qualityFor(ranges: readonly MediaRange[], mediaType: string): number {
  const [major] = mediaType.split('/');
  const exact = ranges.find((r) => r.type === mediaType);
  if (exact) return exact.quality;
  const partial = ranges.find((r) => r.type === `${major}/*`);
  if (partial) return partial.quality;
  const any = ranges.find((r) => r.type === '*/*');
  return any ? any.quality : 0;
}
