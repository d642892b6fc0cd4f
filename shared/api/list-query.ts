import { z } from 'zod';
import { errors } from './errors';

/** Key Vault's page size bounds for `maxresults` (contract §1.2): 1–25, 25 when absent. */
const MAX_RESULTS_LIMIT = 25;

/**
 * The continuation token of a list (`$skiptoken` in `nextLink`): base64url of `{"v":1,"after":"<key>"}`,
 * where `<key>` is the lower-cased name the previous page ended with. It carries no secret and needs no
 * integrity protection (a forged one only starts the caller's own list elsewhere), but it is validated, so
 * anything else is a 400 rather than a query built from it.
 */
const tokenSchema = (after: RegExp) => z.object({ v: z.literal(1), after: z.string().regex(after) }).strict();

/** What most lists continue after: a lower-cased object name. */
const NAME_KEY = /^[0-9a-z-]{1,127}$/;

export function continuationToken(after: string): string {
  return Buffer.from(JSON.stringify({ v: 1, after }), 'utf8').toString('base64url');
}

export interface ListQuery {
  maxResults: number;
  /** Where the page starts: after this lower-cased name. Absent on the first page. */
  after?: string;
}

const maxResultsSchema = z
  .string()
  .regex(/^\d{1,3}$/)
  .transform(Number)
  .pipe(z.number().int().min(1).max(MAX_RESULTS_LIMIT));

/**
 * Reads `maxresults` and `$skiptoken`; out-of-range or malformed values are 400 BadParameter. `afterKey`
 * says what a token of this list may continue after (a lower-cased name unless the list keys otherwise).
 */
export function parseListQuery(query: URLSearchParams, afterKey: RegExp = NAME_KEY): ListQuery {
  const rawMax = query.get('maxresults');
  let maxResults = MAX_RESULTS_LIMIT;
  if (rawMax !== null) {
    const parsed = maxResultsSchema.safeParse(rawMax.trim());
    if (!parsed.success) throw errors.badParameter(`maxresults must be an integer from 1 to ${MAX_RESULTS_LIMIT}; it was '${rawMax.slice(0, 32)}'.`);
    maxResults = parsed.data;
  }
  const token = query.get('$skiptoken');
  if (token === null || token === '') return { maxResults };
  return { maxResults, after: afterOf(token, afterKey) };
}

function afterOf(token: string, afterKey: RegExp): string {
  const invalid = () => errors.badParameter('The $skiptoken is not a continuation token of this list.');
  if (token.length > 512 || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalid();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const parsed = tokenSchema(afterKey).safeParse(decoded);
  if (!parsed.success) throw invalid();
  return parsed.data.after;
}

/**
 * Reads `includePending` of the certificate lists: `true` or `false` in any casing, false when absent;
 * anything else is 400 BadParameter rather than silently one or the other.
 */
export function parseIncludePending(query: URLSearchParams): boolean {
  const raw = query.get('includePending');
  if (raw === null || raw === '') return false;
  const value = raw.trim().toLowerCase();
  if (value === 'true' || value === 'false') return value === 'true';
  throw errors.badParameter(`includePending must be true or false; it was '${raw.slice(0, 32)}'.`);
}
