/**
 * What PATCH /certificates/{name}/{version} changes: only `enabled` and the tags (Key Vault: "only
 * attributes and tags are updatable"). The request's `nbf` and `exp` are accepted and ignored, as Key Vault
 * does: a certificate version is valid when its X.509 certificate says it is, and the SDKs' update methods
 * send the dates they read back, so refusing them would break a read-modify-write.
 */
export interface PropertyChanges {
  enabled?: boolean;
  /** Replaces every tag; `{}` removes them all. Absent leaves them as they are. */
  tags?: Record<string, string>;
}

/** The properties a version (issued, or still requested by an operation) carries. */
interface HasProperties {
  enabled: boolean;
  tags: Record<string, string>;
  updated: number;
}

/** `target` with the changes applied and `updated` set to `now` (unix seconds). */
export function withProperties<T extends HasProperties>(target: T, changes: PropertyChanges, now: number): T {
  return { ...target, enabled: changes.enabled ?? target.enabled, tags: changes.tags ?? target.tags, updated: now };
}
