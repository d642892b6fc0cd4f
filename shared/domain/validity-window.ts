/** Key Vault back-dates `nbf` by ten minutes to absorb clock skew between the vault and relying parties. */
const BACKDATE_SECONDS = 600;

/** The validity of a certificate issued at `issuedAt` for `months` calendar months. */
export function validityWindow(issuedAt: Date, months: number): { notBefore: Date; notAfter: Date } {
  const notAfter = new Date(issuedAt.getTime());
  notAfter.setUTCMonth(notAfter.getUTCMonth() + months);
  return { notBefore: new Date(issuedAt.getTime() - BACKDATE_SECONDS * 1000), notAfter };
}
