/**
 * GET, POST and JSON through the worker against the loopback zone servers
 * (a DoH server and a TCP server started by the test setup).
 */
import { describe, expect, it } from 'vitest';
import { rcodeOf, wireAnswer } from './dns-assertions';
import { fetchWorker, getPath, postInit, queryBytes } from './worker-client';

describe('DoH round trips', () => {
  it('answers a GET with the zone address and echoes the ID', async () => {
    const answer = await wireAnswer(await fetchWorker(getPath(queryBytes('a.test', 'A', 0))));
    expect(answer.id).toBe(0);
    expect(rcodeOf(answer)).toBe('NOERROR');
    expect(answer.answers?.map((r) => r.type === 'A' && r.data)).toEqual(['192.0.2.1']);
  });

  it('answers a POST and echoes a non-zero ID', async () => {
    const response = await fetchWorker('/dns-query', postInit(queryBytes('a.test', 'A', 31337)));
    const answer = await wireAnswer(response);
    expect(answer.id).toBe(31337);
    expect(answer.questions?.[0]).toMatchObject({ name: 'a.test', type: 'A' });
  });

  it('sets cache-control max-age to the minimum TTL of the answer', async () => {
    // cname.test answers with the CNAME (longer TTL) and a.test's A (300 s).
    const response = await fetchWorker(getPath(queryBytes('cname.test')));
    const answer = await wireAnswer(response);
    const ttls = (answer.answers ?? []).map((r) => ('ttl' in r ? (r.ttl ?? 0) : 0));
    expect(ttls.length).toBe(2);
    expect(response.headers.get('cache-control')).toBe(`max-age=${Math.min(...ttls)}`);
  });

  it('answers HEAD with headers and no body', async () => {
    const response = await fetchWorker(getPath(queryBytes('a.test')), { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/dns-message');
    expect((await response.arrayBuffer()).byteLength).toBe(0);
  });

  it('answers a CORS preflight on /dns-query', async () => {
    const response = await fetchWorker('/dns-query', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it('answers NXDOMAIN with the SOA and a negative max-age from it', async () => {
    const response = await fetchWorker(getPath(queryBytes('nx.test')));
    const answer = await wireAnswer(response);
    expect(rcodeOf(answer)).toBe('NXDOMAIN');
    const soa = answer.authorities?.find((r) => r.type === 'SOA');
    expect(soa?.type).toBe('SOA');
    if (soa?.type !== 'SOA') return;
    const negativeTtl = Math.min(soa.ttl ?? 0, soa.data.minimum ?? 0);
    expect(response.headers.get('cache-control')).toBe(`max-age=${negativeTtl}`);
  });
});

describe('JSON API round trips', () => {
  it('answers /resolve in the Google/Cloudflare JSON shape', async () => {
    const response = await fetchWorker('/resolve?name=a.test&type=A');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/dns-json/);
    const body = await response.json<Record<string, unknown>>();
    expect(body).toMatchObject({
      Status: 0,
      TC: false,
      RD: true,
      RA: true,
      Question: [{ name: 'a.test.', type: 1 }],
      Answer: [{ name: 'a.test.', type: 1, data: '192.0.2.1' }],
    });
    const [record] = body.Answer as Array<{ TTL: number }>;
    expect(record?.TTL).toBeGreaterThan(0);
    expect(record?.TTL).toBeLessThanOrEqual(300);
  });

  it('answers /dns-query?name= with Accept: application/dns-json', async () => {
    const response = await fetchWorker('/dns-query?name=a.test&type=A', {
      headers: { accept: 'application/dns-json' },
    });
    expect(response.status).toBe(200);
    const body = await response.json<{ Answer: Array<{ data: string }> }>();
    expect(body.Answer.map((a) => a.data)).toEqual(['192.0.2.1']);
  });
});

describe('minimal ANY (RFC 8482)', () => {
  it('answers ANY over the JSON API with the HINFO RFC8482 record and no upstream query', async () => {
    const response = await fetchWorker('/resolve?name=a.test&type=ANY');
    expect(response.status).toBe(200);
    const body = await response.json<{ Answer: Array<{ type: number; data: string }> }>();
    expect(body.Answer).toHaveLength(1);
    // HINFO is type 13 (RFC 1035 §3.2.2).
    expect(body.Answer[0]?.type).toBe(13);
    expect(body.Answer[0]?.data).toMatch(/RFC8482/);
    expect(response.headers.get('server-timing')).toMatch(/cache;desc="local"/);
  });
});
