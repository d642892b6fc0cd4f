import { figureOf, ratioOf, statsOf } from './figures';
import { perSecond, runRounds, samplesOf } from './rounds';
import { scaled } from './scale';
import { createLoad, reportCost, type SectionContext } from './section';

/**
 * Section 8: issuance through the private CA (a PrivateCA issuer whose CA certificate and key live in the
 * vault) against `Self`, EC P-256 leaves at concurrency 8, in interleaved rounds: what loading and opening the
 * CA's key and signing with it add to a create, in throughput, host CPU and storage requests.
 */
export async function privateCaIssuance(context: SectionContext): Promise<void> {
  console.log('8. Issuance through the private CA against Self, EC P-256, concurrency 8, POST …/create to completed');
  const { bench, scale } = context;
  const ec = { kty: 'EC', crv: 'P-256' };
  const root = bench.newName('pca-root');
  await bench.send('POST', `/certificates/${root}/create`, {
    policy: { key_props: ec, x509_props: { subject: `CN=${root}`, key_usage: ['keyCertSign', 'cRLSign'], ekus: [] }, issuer: { name: 'Self' } },
  }, 202);
  await bench.waitCompleted(root);
  const issuer = bench.newName('pca');
  await bench.send('PUT', `/certificates/issuers/${issuer}`, { provider: 'PrivateCA', credentials: { account_id: root } }, 200);

  const count = scaled(scale, 30);
  const self = createLoad(bench, 'self8', ec, count, 8);
  const privateCa = createLoad(bench, 'privateca8', ec, count, 8, issuer);
  const results = await runRounds(bench.host, [self, privateCa], scale.rounds, { settle: () => bench.settle() });
  const selfSamples = samplesOf(results, self.name);
  const caSamples = samplesOf(results, privateCa.name);
  context.report(figureOf('create Self EC P-256, concurrency 8 (baseline)', perSecond(selfSamples), 'certs/s'));
  reportCost(context, 'Self create', selfSamples, 'ms');
  context.report(
    figureOf('create PrivateCA EC P-256, concurrency 8', perSecond(caSamples), 'certs/s', {
      baseline: statsOf(perSecond(selfSamples)).median,
      baselineUnit: 'certs/s (Self)',
      ...ratioOf(perSecond(caSamples), perSecond(selfSamples)),
    }),
  );
  reportCost(context, 'PrivateCA create', caSamples, 'ms');
}
