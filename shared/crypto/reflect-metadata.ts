/**
 * @peculiar/x509 resolves its algorithm plugins through tsyringe, and tsyringe refuses to load unless a
 * Reflect metadata polyfill is present. The usual polyfill (`reflect-metadata`) is not a dependency of
 * this app, so this installs the small part of that API tsyringe calls. It only fills gaps: if a real
 * polyfill is loaded first, it is left alone.
 *
 * Import `./x509` rather than `@peculiar/x509` directly; that module loads this first.
 */

type Target = object;
type MetadataKey = unknown;

interface MetadataReflect {
  defineMetadata?: (key: MetadataKey, value: unknown, target: Target) => void;
  getOwnMetadata?: (key: MetadataKey, target: Target) => unknown;
  getMetadata?: (key: MetadataKey, target: Target) => unknown;
  hasOwnMetadata?: (key: MetadataKey, target: Target) => boolean;
  hasMetadata?: (key: MetadataKey, target: Target) => boolean;
  metadata?: (key: MetadataKey, value: unknown) => (target: Target) => void;
}

const reflect = Reflect as unknown as MetadataReflect;

if (typeof reflect.getMetadata !== 'function') {
  const store = new WeakMap<Target, Map<MetadataKey, unknown>>();

  const ownMap = (target: Target): Map<MetadataKey, unknown> | undefined => store.get(target);
  const findOwner = (key: MetadataKey, target: Target): Target | undefined => {
    for (let o: Target | null = target; o !== null; o = Object.getPrototypeOf(o) as Target | null) {
      if (ownMap(o)?.has(key)) return o;
    }
    return undefined;
  };

  reflect.defineMetadata = (key, value, target) => {
    let map = ownMap(target);
    if (!map) {
      map = new Map();
      store.set(target, map);
    }
    map.set(key, value);
  };
  reflect.getOwnMetadata = (key, target) => ownMap(target)?.get(key);
  reflect.hasOwnMetadata = (key, target) => ownMap(target)?.has(key) ?? false;
  reflect.getMetadata = (key, target) => {
    const owner = findOwner(key, target);
    return owner === undefined ? undefined : ownMap(owner)?.get(key);
  };
  reflect.hasMetadata = (key, target) => findOwner(key, target) !== undefined;
  reflect.metadata = (key, value) => (target) => reflect.defineMetadata?.(key, value, target);
}

export {};
