/**
 * A tenant record the deployment can no longer run (here: an upstream the
 * policy refuses, as after ALLOW_LOOPBACK_UPSTREAMS was switched off) is an
 * internal error. The anonymous DoH client gets SERVFAIL with EDE 0 and a
 * generic text, never the config's details; the admin API shows them.
 */
import { env } from 'cloudflare:test';
import { expect, it } from 'vitest';
import { EDE, readExtendedErrors } from '../../src/dns/extended-errors';
import { ADMIN_TOKEN, bearer, uniqueTenantId } from './admin-client';
import { rcodeOf, wireAnswer } from './dns-assertions';
import { clientOpt, fetchWorker, getPath, queryBytes } from './worker-client';

const REFUSED_UPSTREAM = 'internal=tcp://10.20.30.40:53';

it('answers SERVFAIL + EDE 0 without details, and shows the details to the admin', async () => {
  const id = uniqueTenantId('unusable');
  const now = new Date().toISOString();
  // Written straight to KV, as an older deployment with other rules could have.
  await env.TENANTS.put(
    `tenant:${id}`,
    JSON.stringify({
      id,
      config: {
        upstreams: [REFUSED_UPSTREAM],
        fanout: {},
        ecs: 'strip',
        rateLimit: { enabled: true },
        allow: [],
        deny: [],
      },
      tokenHash: '0'.repeat(64),
      generation: 'feedfacefeedface',
      createdAt: now,
      updatedAt: now,
    }),
  );
  const query = queryBytes('a.test', 'A', 4242, { additionals: [clientOpt()] });
  const response = await fetchWorker(`/t/${id}${getPath(query)}`);
  const answer = await wireAnswer(response);
  expect(answer.id).toBe(4242);
  expect(rcodeOf(answer)).toBe('SERVFAIL');
  expect(readExtendedErrors(answer)).toEqual([{ code: EDE.OtherError, text: 'internal error' }]);

  const json = await fetchWorker(`/t/${id}/resolve?name=a.test`);
  expect(json.status).toBe(200);
  const body = await json.text();
  expect(body).not.toMatch(/10\.20\.30\.40|upstreams/);
  expect(JSON.parse(body)).toMatchObject({ Status: 2 });

  const admin = await fetchWorker(`/admin/tenants/${id}`, { headers: bearer(ADMIN_TOKEN) });
  const view = await admin.json<{ problems?: string[] }>();
  expect(view.problems?.join(' ')).toMatch(/upstreams\[0\].*10\.20\.30\.40/);
});
