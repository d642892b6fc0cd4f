import {
  type Instrumenter,
  type InstrumenterSpanOptions,
  type OperationTracingOptions,
  type TracingContext,
  type TracingSpan,
  useInstrumenter,
} from '@azure/core-tracing';

/**
 * Stands in for `toSupportTracing` of @azure-tools/test-utils-vitest (not published for jest): the callback
 * runs under a parent span of a recording instrumenter, and the names of the spans the SDK opened directly
 * under it, each counted once in the order first seen (a poller opens one per poll, and how many polls a run
 * makes depends on timing), must equal `expectedSpanNames`; every span under it must have ended.
 */
const SPAN_KEY = Symbol.for('@azure/core-tracing span');

class RecordedContext implements TracingContext {
  constructor(private readonly values: Map<symbol, unknown> = new Map()) {}
  getValue(key: symbol): unknown {
    return this.values.get(key);
  }
  setValue(key: symbol, value: unknown): TracingContext {
    return new RecordedContext(new Map(this.values).set(key, value));
  }
  deleteValue(key: symbol): TracingContext {
    const values = new Map(this.values);
    values.delete(key);
    return new RecordedContext(values);
  }
}

interface RecordedSpan extends TracingSpan {
  name: string;
  parent: RecordedSpan | undefined;
  ended: boolean;
}

function recordedSpan(name: string, parent: RecordedSpan | undefined): RecordedSpan {
  return {
    name,
    parent,
    ended: false,
    setStatus: () => undefined,
    setAttribute: () => undefined,
    recordException: () => undefined,
    isRecording: () => true,
    end() {
      this.ended = true;
    },
  };
}

class RecordingInstrumenter implements Instrumenter {
  readonly spans: RecordedSpan[] = [];
  startSpan(name: string, spanOptions: InstrumenterSpanOptions): { span: TracingSpan; tracingContext: TracingContext } {
    const parent = spanOptions.tracingContext?.getValue(SPAN_KEY) as RecordedSpan | undefined;
    const span = recordedSpan(name, parent);
    this.spans.push(span);
    const context = spanOptions.tracingContext ?? new RecordedContext();
    return { span, tracingContext: context.setValue(SPAN_KEY, span) };
  }
  withContext<CallbackArgs extends unknown[], Callback extends (...args: CallbackArgs) => ReturnType<Callback>>(
    _context: TracingContext,
    callback: Callback,
    ...callbackArgs: CallbackArgs
  ): ReturnType<Callback> {
    return callback(...callbackArgs);
  }
  parseTraceparentHeader(): TracingContext | undefined {
    return undefined;
  }
  createRequestHeaders(): Record<string, string> {
    return {};
  }
}

export async function expectToSupportTracing(
  callback: (tracingOptions: { tracingOptions: OperationTracingOptions }) => Promise<void>,
  expectedSpanNames: string[],
): Promise<void> {
  const instrumenter = new RecordingInstrumenter();
  useInstrumenter(instrumenter);
  const { span: root, tracingContext } = instrumenter.startSpan('root', { packageName: 'test' });
  await callback({ tracingOptions: { tracingContext } });
  root.end();
  const directChildren = instrumenter.spans.filter((span) => span.parent === root).map((span) => span.name);
  expect([...new Set(directChildren)]).toEqual(expectedSpanNames);
  // Only the callback's spans: the service runs in this process, and its own storage clients trace too.
  const underRoot = (span: RecordedSpan): boolean => span.parent !== undefined && (span.parent === root || underRoot(span.parent));
  expect(instrumenter.spans.filter((span) => underRoot(span) && !span.ended).map((span) => span.name)).toEqual([]);
}
