/**
 * Key Vault reads its enumerations without regard to case (`crlSign` and `cRLSign`, `rsa` and `RSA`,
 * `self` and `Self`) and always shows them back in one spelling. The SDKs differ here: .NET sends the key
 * usage `crlSign` where JS and Python send `cRLSign`. This is the one rule for all of them: the canonical
 * spelling a value matches in any case, or undefined when it matches none (left for the caller to refuse).
 */
export function canonicalSpelling<T extends string>(value: string, canonical: readonly T[]): T | undefined {
  const lower = value.toLowerCase();
  return canonical.find((c) => c.toLowerCase() === lower);
}
