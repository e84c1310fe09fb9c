/**
 * An ADMIN_TOKEN shorter than 32 characters switches the admin API off with a
 * message naming the key; the resolver itself keeps answering. (No token at
 * all: see admin-token-errors.test.ts.)
 */
import { expect, it } from 'vitest';
import { callWorker, getPath, queryBytes } from './worker-client';

it.each([
  ['a 16-character token', { ADMIN_TOKEN: 'short-admin-tok!' }, /is 16 characters long/],
  ['a 31-character token', { ADMIN_TOKEN: 'x'.repeat(31) }, /is 31 characters long/],
])('refuses every admin route with %s, naming ADMIN_TOKEN', async (_what, bindings, detail) => {
  for (const path of ['/admin/tenants/acme', '/admin/metrics']) {
    const { response } = await callWorker(
      path,
      { headers: { authorization: `Bearer ${bindings.ADMIN_TOKEN}` } },
      bindings as Partial<Env>,
    );
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).toMatch(/ADMIN_TOKEN/);
    expect(text).toMatch(detail);
    expect(text).toMatch(/at least 32 characters/);
  }
  const { response } = await callWorker(
    getPath(queryBytes('a.test')),
    undefined,
    bindings as Partial<Env>,
  );
  expect(response.status).toBe(200);
});
