/**
 * Azure Table storage takes at most 100 operations and 4 MiB of payload in one entity-group transaction.
 * The payload bound here is half of that, leaving room for the multipart framing and for any characters
 * that take more than one byte once encoded.
 */
export interface TransactionLimits {
  maxRows: number;
  maxBytes: number;
}

const TRANSACTION_LIMITS: TransactionLimits = { maxRows: 100, maxBytes: 2 * 1024 * 1024 };

/**
 * Splits `items` into consecutive batches within the limits, in order; `last` (the commit point) goes in the
 * final batch, with as many of the items before it as fit, so a batch that must land last always does.
 */
export function inBatches<T>(items: readonly T[], last: readonly T[], sizeOf: (item: T) => number, limits = TRANSACTION_LIMITS): T[][] {
  const lastBytes = last.reduce((n, item) => n + sizeOf(item), 0);
  if (last.length > limits.maxRows || lastBytes > limits.maxBytes) throw new Error('the final batch alone exceeds a transaction');
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && (current.length + 1 > limits.maxRows || bytes + size > limits.maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0 && current.length + last.length <= limits.maxRows && bytes + lastBytes <= limits.maxBytes) {
    batches.push([...current, ...last]);
  } else {
    if (current.length > 0) batches.push(current);
    batches.push([...last]);
  }
  return batches;
}
