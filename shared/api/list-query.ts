import { z } from 'zod';
import { errors } from './errors';

/** Key Vault's page size bounds for `maxresults` (contract §1.2): 1–25, 25 when absent. */
export const MAX_RESULTS_LIMIT = 25;

/**
 * The continuation token of a list (`$skiptoken` in `nextLink`): base64url of `{"v":1,"after":"<key>"}`,
 * where `<key>` is the lower-cased name the previous page ended with. It carries no secret and needs no
 * integrity protection (a forged one only starts the caller's own list elsewhere), but it is validated, so
 * anything else is a 400 rather than a query built from it.
 */
const tokenSchema = z.object({ v: z.literal(1), after: z.string().regex(/^[0-9a-z-]{1,127}$/) }).strict();

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

/** Reads `maxresults` and `$skiptoken`; out-of-range or malformed values are 400 BadParameter. */
export function parseListQuery(query: URLSearchParams): ListQuery {
  const rawMax = query.get('maxresults');
  let maxResults = MAX_RESULTS_LIMIT;
  if (rawMax !== null) {
    const parsed = maxResultsSchema.safeParse(rawMax.trim());
    if (!parsed.success) throw errors.badParameter(`maxresults must be an integer from 1 to ${MAX_RESULTS_LIMIT}; it was '${rawMax.slice(0, 32)}'.`);
    maxResults = parsed.data;
  }
  const token = query.get('$skiptoken');
  if (token === null || token === '') return { maxResults };
  return { maxResults, after: afterOf(token) };
}

function afterOf(token: string): string {
  const invalid = () => errors.badParameter('The $skiptoken is not a continuation token of this list.');
  if (token.length > 512 || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalid();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const parsed = tokenSchema.safeParse(decoded);
  if (!parsed.success) throw invalid();
  return parsed.data.after;
}
