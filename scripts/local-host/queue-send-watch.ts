import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';

/**
 * Tells a queue listener that this process has just put a message on its queue, so that the local host can
 * poll an idle queue as seldom as host.json's `maxPollingInterval` allows and still take its own messages at
 * once. The Functions host does the same for messages its own output bindings add (the WebJobs SDK's shared
 * queue watcher); the app sends its issuer jobs and events with the Storage SDK, so here every successful
 * `POST …/{queue}/messages` the process makes counts, seen on Node's http diagnostics channel. A message sent
 * with a visibility timeout is told when it becomes visible.
 */
type Wake = () => void;

/** Listeners by `<host>/<account>/<queue>`, lower case. */
const watchers = new Map<string, Set<Wake>>();
let subscribed = false;

export function watchQueueSends(queueUrl: string, wake: Wake): () => void {
  if (!subscribed) {
    subscribe('http.client.response.finish', (message) => onResponse(message as { request: ClientRequest; response: IncomingMessage }));
    subscribed = true;
  }
  const url = new URL(queueUrl);
  const key = `${url.host}${url.pathname.replace(/\/+$/, '')}`.toLowerCase();
  const set = watchers.get(key) ?? new Set<Wake>();
  set.add(wake);
  watchers.set(key, set);
  return () => {
    set.delete(wake);
    if (set.size === 0) watchers.delete(key);
  };
}

function onResponse({ request, response }: { request: ClientRequest; response: IncomingMessage }): void {
  if (watchers.size === 0 || request.method !== 'POST' || response.statusCode !== 201) return;
  const [path = '', query = ''] = request.path.split('?', 2);
  if (!path.endsWith('/messages')) return;
  const key = `${String(request.getHeader('host') ?? '')}${path.slice(0, -'/messages'.length)}`.toLowerCase();
  const set = watchers.get(key);
  if (!set) return;
  const delaySeconds = Number(new URLSearchParams(query).get('visibilitytimeout') ?? 0);
  const wakeAll = () => {
    for (const wake of set) wake();
  };
  if (!(delaySeconds > 0)) wakeAll();
  // A little after it becomes visible; unref'd, so a pending wake never keeps a stopping process alive.
  else setTimeout(wakeAll, delaySeconds * 1000 + 50).unref();
}
