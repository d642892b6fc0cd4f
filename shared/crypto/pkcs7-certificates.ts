import type { SignedData } from '@peculiar/asn1-cms';
import { asn1Cms, asn1Schema } from '../lazy-packages';
import { DER_TAG, readDerChildren, readDerElement } from './der-element';

/**
 * The certificates of a PKCS#7 certificate bundle (a `.p7b`: a SignedData with certificates and no signers),
 * which is how many CAs hand back a signed certificate with its chain, and which Key Vault merges whole.
 * Each certificate is returned as the exact bytes it had in the bundle.
 */
export type Pkcs7Certificates = { certificatesDer: Buffer[] } | { why: string };

function contentTypeName(contentType: string): string {
  const { id_data, id_envelopedData, id_digestedData, id_encryptedData, id_authData } = asn1Cms();
  const names: Record<string, string> = {
    [id_data]: 'data',
    [id_envelopedData]: 'envelopedData',
    [id_digestedData]: 'digestedData',
    [id_encryptedData]: 'encryptedData',
    [id_authData]: 'authenticatedData',
  };
  return names[contentType] ?? `content type ${contentType}`;
}

/** `der` is one complete DER ContentInfo (the caller has checked its outer length). Reasons read after "x5c[i] ". */
export function certificatesOfPkcs7(der: Buffer): Pkcs7Certificates {
  const { AsnConvert } = asn1Schema();
  const { ContentInfo, SignedData, id_signedData } = asn1Cms();
  let signedData: SignedData;
  try {
    const contentInfo = AsnConvert.parse(der, ContentInfo);
    if (contentInfo.contentType !== id_signedData) {
      return { why: `is PKCS#7 ${contentTypeName(contentInfo.contentType)}, not a certificate bundle (SignedData)` };
    }
    signedData = AsnConvert.parse(contentInfo.content, SignedData);
  } catch {
    return { why: 'is not a readable PKCS#7 structure' };
  }

  // A signed message is a document that happens to carry certificates; merging one would be a guess.
  if (signedData.signerInfos.length > 0 || signedData.encapContentInfo.eContent) {
    return { why: 'is a signed PKCS#7 message, not a certificates-only bundle (.p7b)' };
  }
  const choices = signedData.certificates ?? [];
  if (choices.length === 0) return { why: 'is a PKCS#7 bundle with no certificates' };
  const notX509 = choices.findIndex((choice) => !choice.certificate);
  if (notX509 >= 0) return { why: `is a PKCS#7 bundle whose entry ${notX509 + 1} is not an X.509 certificate (e.g. an attribute certificate)` };

  const certificatesDer = certificateSlices(der);
  if (!certificatesDer || certificatesDer.length !== choices.length) {
    // The schema parser also takes BER; the bytes of each certificate can only be trusted as DER.
    return { why: 'is a PKCS#7 bundle that is not DER-encoded (BER is not accepted)' };
  }
  return { certificatesDer };
}

/** ContentInfo → [0] → SignedData → `certificates [0]` → each certificate, as slices of the original bytes. */
function certificateSlices(der: Buffer): Buffer[] | undefined {
  const contentInfo = readDerElement(der);
  const explicitContent = contentInfo && readDerChildren(der, contentInfo)?.[1];
  const signedData = explicitContent && readDerChildren(der, explicitContent)?.[0];
  const fields = signedData && readDerChildren(der, signedData);
  const certificates = fields?.find((field) => field.tag === DER_TAG.CONTEXT_0);
  const entries = certificates && readDerChildren(der, certificates);
  return entries?.map((entry) => Buffer.from(der.subarray(entry.start, entry.end)));
}
