import { profileOfPolicy } from '../crypto/profile-of-policy';
import { signCertificate } from '../crypto/sign-certificate';
import { validityWindow } from '../domain/validity-window';
import type { IssuanceRequest, IssuanceStep, IssuerProvider } from './issuer-provider';

/** Issuer `Self`: the certificate is signed by its own key, in the job, at once. */
export const selfSignedProvider: IssuerProvider = {
  async advance(request: IssuanceRequest): Promise<IssuanceStep> {
    const { policy } = request;
    const { notBefore, notAfter } = validityWindow(request.now, policy.validityMonths);
    const der = await signCertificate({
      subjectPublicKeySpki: request.publicKeySpki,
      profile: profileOfPolicy(policy),
      notBefore,
      notAfter,
      signer: { privateKeyPkcs8: request.privateKeyPkcs8(), spec: policy.key },
    });
    return { kind: 'issued', chainDer: [der] };
  },
};
