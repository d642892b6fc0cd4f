import { inBatches } from '../../../shared/storage/transaction-batches';

const limits = { maxRows: 100, maxBytes: 1000 };
const rows = (n: number, prefix = 'v') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('inBatches', () => {
  it('puts everything in one batch, the commit rows last, when it fits', () => {
    expect(inBatches(rows(3), ['head'], () => 1, limits)).toEqual([['v0', 'v1', 'v2', 'head']]);
  });

  it('keeps every batch within 100 rows, in order, with the commit rows in the final batch', () => {
    const batches = inBatches(rows(250), ['pending', 'head'], () => 1, limits);
    expect(batches.map((b) => b.length)).toEqual([100, 100, 52]);
    expect(batches.flat()).toEqual([...rows(250), 'pending', 'head']);
  });

  it('gives the commit rows a batch of their own when the last one is full', () => {
    const batches = inBatches(rows(100), ['pending', 'head'], () => 1, limits);
    expect(batches.map((b) => b.length)).toEqual([100, 2]);
    expect(batches[1]).toEqual(['pending', 'head']);
  });

  it('also splits by payload size', () => {
    const batches = inBatches(rows(10), ['head'], () => 300, limits);
    expect(batches.map((b) => b.length)).toEqual([3, 3, 3, 2]);
    expect(batches.at(-1)).toEqual(['v9', 'head']);
  });

  it('makes one batch of the commit rows when there is nothing else', () => {
    expect(inBatches([], ['pending', 'head'], () => 1, limits)).toEqual([['pending', 'head']]);
  });
});
