import { useEffect, useState } from "preact/hooks";

/** A tiny observable value (the URL state), read by components through useSignal. */
export function signalLike<T>(initial: T) {
  let value = initial;
  const listeners = new Set<(v: T) => void>();
  return {
    get: () => value,
    set(next: T) {
      value = next;
      for (const l of listeners) l(next);
    },
    subscribe(listener: (v: T) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export function useSignal<T>(s: ReturnType<typeof signalLike<T>>): T {
  const [value, setValue] = useState(s.get());
  useEffect(() => {
    const off = s.subscribe(setValue);
    return () => {
      off();
    };
  }, [s]);
  return value;
}
