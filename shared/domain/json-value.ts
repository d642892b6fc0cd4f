/** A value JSON can hold: what is stored as JSON and read back unchanged. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
