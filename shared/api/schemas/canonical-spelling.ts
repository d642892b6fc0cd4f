import { z } from 'zod';
import { canonicalSpelling } from '../../domain/canonical-spelling';

/**
 * A string member read in any case and handed on in Key Vault's spelling when it matches one of `canonical`;
 * a value that matches nothing passes through untouched, for the domain to refuse with its own message (which
 * names the allowed values).
 */
export function caseInsensitiveEnum(canonical: readonly string[]) {
  return z.preprocess((value) => (typeof value === 'string' ? (canonicalSpelling(value, canonical) ?? value) : value), z.string());
}
