/**
 * `npm run bench:fleet`: only the fleet part of `npm run bench`
 * (bench/lib/fleet-run.ts), against the last commit unless BENCH_SOURCE
 * says otherwise. Prints the table; exits 1 naming each real failure.
 */
import { runFleet } from './lib/fleet-run';
import { bundleResolver, resolverSource } from './lib/worker-process';

const progress = (text: string) => process.stderr.write(`[bench] ${text}\n`);

const source = resolverSource(process.env.BENCH_SOURCE);
progress(`bundling the resolver (${typeof source === 'string' ? source : source.commit})`);
const bundle = await bundleResolver(source);
try {
  const { markdown, failures } = await runFleet(bundle, progress);
  process.stdout.write(markdown);
  progress('wrote bench/results/fleet.{md,json}');
  for (const failure of failures) progress(`FAILED: ${failure}`);
  if (failures.length > 0) process.exitCode = 1;
} finally {
  await bundle.dispose();
}
