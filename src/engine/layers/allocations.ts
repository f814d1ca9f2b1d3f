// Ownership of device memory: a network or trainer allocates through a tracking view of the backend
// and can release everything it allocated in one call, so a long-lived backend (the panel's GPU
// device) does not leak when models are rebuilt.

import type { Backend, Tensor } from '../backend';

export interface TrackedBackend {
  /** Behaves exactly like the backend; zeros() and indices() also remember the tensor. */
  readonly backend: Backend;
  /** Disposes every tensor allocated through `backend` so far. */
  release(): void;
}

export function trackAllocations(backend: Backend): TrackedBackend {
  const owned: Tensor[] = [];
  // Methods are bound once and cached, so calls through the view allocate nothing.
  const methods = new Map<PropertyKey, unknown>();
  const view = new Proxy(backend, {
    get(target, key) {
      if (methods.has(key)) return methods.get(key);
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      const bound = key === 'zeros' || key === 'indices'
        ? (length: number) => { const t = (value as (n: number) => Tensor).call(target, length); owned.push(t); return t; }
        : (value as (...args: unknown[]) => unknown).bind(target);
      methods.set(key, bound);
      return bound;
    },
  });
  return {
    backend: view,
    release() {
      for (const t of owned.splice(0)) backend.dispose(t);
    },
  };
}
