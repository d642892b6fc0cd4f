import type { z } from 'zod';
import { errors } from './errors';

/** Where in the body a problem is, as Key Vault names properties: `policy.x509_props.subject`. */
function pathOf(issue: z.core.$ZodIssue): string {
  return issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[');
}

/** Parses a JSON request body against a schema; every problem becomes a 400 that says what and where. */
export function parseBody<S extends z.ZodType>(schema: S, text: string): z.infer<S> {
  let json: unknown;
  if (text.trim() === '') throw errors.badParameter('The request body is empty; a JSON object is required.');
  try {
    json = JSON.parse(text);
  } catch {
    throw errors.badParameter('The request body is not valid JSON.');
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const where = pathOf(issue);
      return where ? `${where}: ${issue.message}` : issue.message;
    });
    throw errors.badParameter(`Property has invalid value: ${problems.join('; ')}`);
  }
  return result.data;
}
