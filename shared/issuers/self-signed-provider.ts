import { profileOfPolicy } from '../crypto/profile-of-policy';
import { issueCertificate } from '../crypto/sign-certificate';
import { validityWindow } from '../domain/validity-window';
import type { IssuanceRequest, IssuanceStep, IssuerProvider } from './issuer-provider';

/**
 * Issuer `Self`: the certificate is signed by its own key in `start`, so it never has state to poll or an
 * issuer to stop. Signing again is harmless, which makes every call idempotent.
 */
export function selfSignedProvider(): IssuerProvider {
  return {
    name: 'Self',
    async start(request: IssuanceRequest): Promise<IssuanceStep> {
      const { policy } = request;
      const { notBefore, notAfter } = validityWindow(request.now, policy.validityMonths);
      const leaf = await issueCertificate({
        subjectPublicKeySpki: request.publicKeySpki,
        profile: profileOfPolicy(policy, request.tags),
        notBefore,
        notAfter,
        signer: { privateKeyPkcs8: request.privateKeyPkcs8(), spec: policy.key },
      });
      return { kind: 'issued', chainDer: [leaf.der], parsedChain: [leaf] };
    },
    // A state can only come from start, which never leaves one; issuing again is the idempotent answer.
    poll(request) {
      return this.start(request);
    },
    async cancel() {
      return { kind: 'cancelled' };
    },
  };
}
