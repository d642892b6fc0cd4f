import type { Certificate } from '@peculiar/asn1-x509';
import { asn1Schema, asn1X509 } from '../lazy-packages';

/**
 * The ACME Renewal Information certificate identifier (RFC 9773 §4.1): the base64url (unpadded) key identifier
 * of the certificate's Authority Key Identifier extension, a dot, and the base64url of its serial number's DER
 * INTEGER content bytes (leading zero included when the DER has one). It names a certificate to its CA without
 * the issuer's name, for GET {renewalInfo}/{certID} and newOrder's `replaces`.
 */
export function ariCertIdOf(authorityKeyIdentifier: Uint8Array, serialNumberDer: Uint8Array): string {
  return `${Buffer.from(authorityKeyIdentifier).toString('base64url')}.${Buffer.from(serialNumberDer).toString('base64url')}`;
}

/** The certID of a DER certificate, or undefined when it has no Authority Key Identifier key id (none can be made). */
export function ariCertIdOfCertificate(certificateDer: Uint8Array): string | undefined {
  const { AsnConvert } = asn1Schema();
  const { AuthorityKeyIdentifier, Certificate, id_ce_authorityKeyIdentifier } = asn1X509();
  let certificate: Certificate;
  try {
    certificate = AsnConvert.parse(certificateDer, Certificate);
  } catch {
    return undefined;
  }
  const tbs = certificate.tbsCertificate;
  const extension = tbs.extensions?.find((e) => e.extnID === id_ce_authorityKeyIdentifier);
  if (!extension) return undefined;
  const aki = AsnConvert.parse(extension.extnValue, AuthorityKeyIdentifier);
  if (!aki.keyIdentifier) return undefined;
  // asn1-schema keeps an INTEGER as its DER content bytes, leading zero and all.
  return ariCertIdOf(new Uint8Array(aki.keyIdentifier.buffer), new Uint8Array(tbs.serialNumber));
}
