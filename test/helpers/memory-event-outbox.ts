import type { CertificateEvent } from '../../shared/events/certificate-event';
import type { EventOutbox } from '../../shared/storage/repositories';

/** The events outbox in memory: what was told, in order; `failNext` makes the next send throw (a queue outage). */
export class MemoryEventOutbox implements EventOutbox {
  readonly sent: CertificateEvent[] = [];
  private failures = 0;

  send(event: CertificateEvent): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      return Promise.reject(new Error('the events queue is unreachable (test)'));
    }
    this.sent.push(structuredClone(event));
    return Promise.resolve();
  }

  failNext(times = 1): void {
    this.failures += times;
  }
}
