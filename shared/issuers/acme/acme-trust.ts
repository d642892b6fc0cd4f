import { Agent } from 'node:https';
import { rootCertificates } from 'node:tls';
import * as acme from 'acme-client';

/**
 * Extra CA certificates for ACME directories (ACME_CA_BUNDLE): a private ACME server's CA, or Pebble's in the
 * tests. They are added to Node's own roots on the HTTPS agent of acme-client's HTTP client only, so they
 * are trusted for ACME requests and for nothing else in the process (storage, Entra ID, Azure DNS keep
 * Node's defaults). Installing again replaces what was installed before (a test process starts several apps).
 */
let installed: number | undefined;
let agent: Agent | undefined;

export function trustForAcmeOnly(caBundlePem: string | undefined): void {
  if (installed !== undefined) acme.axios.interceptors.request.eject(installed);
  agent?.destroy();
  installed = undefined;
  agent = undefined;
  if (!caBundlePem) return;
  const trusted = new Agent({ ca: [...rootCertificates, caBundlePem], keepAlive: true });
  agent = trusted;
  installed = acme.axios.interceptors.request.use((config) => {
    config.httpsAgent = trusted;
    return config;
  });
}
