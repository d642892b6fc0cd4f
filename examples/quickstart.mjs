// The official JS SDK against `npm start`: create a self-signed certificate, wait for it, read its secret.
//
//   npm start                       # in one terminal
//   node examples/quickstart.mjs    # in another, from anywhere
//
// In your own project: npm install @azure/keyvault-certificates @azure/keyvault-secrets
// VAULT_URL, CA_FILE and KV_TOKEN override the defaults (the test that runs this file sets them).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CertificateClient } from '@azure/keyvault-certificates';
import { SecretClient } from '@azure/keyvault-secrets';

const repo = fileURLToPath(new URL('..', import.meta.url));
const vaultUrl = process.env.VAULT_URL ?? 'https://localhost:7443';
// The local host's development CA: trusted by these clients only (or NODE_EXTRA_CA_CERTS for the whole process).
const ca = readFileSync(process.env.CA_FILE ?? `${repo}/.local/dev-ca/ca.pem`);
// `npm run --silent token`, run from the repository wherever this file is started.
const token = process.env.KV_TOKEN ?? execFileSync('npm', ['run', '--silent', 'token'], { cwd: repo }).toString().trim();

const credential = { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) };
// The challenge names https://vault.azure.net, which is not localhost's domain.
const options = { tlsOptions: { ca }, disableChallengeResourceVerification: true };

const name = process.argv[2] ?? `quickstart-${Date.now()}`;
const certificates = new CertificateClient(vaultUrl, credential, options);
const poller = await certificates.beginCreateCertificate(name, { issuerName: 'Self', subject: `CN=${name}` });
const certificate = await poller.pollUntilDone();
console.log(`created ${certificate.properties.id}`);
console.log(`thumbprint ${Buffer.from(certificate.properties.x509Thumbprint).toString('hex')}`);

const secrets = new SecretClient(vaultUrl, credential, options);
const secret = await secrets.getSecret(name);
const pfx = Buffer.from(secret.value, 'base64'); // PKCS#12 with the private key, empty password
console.log(`secret ${secret.properties.contentType}, ${pfx.length} bytes`);
