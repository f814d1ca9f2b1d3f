// Flags that several commands take, declared once so they are spelt, typed and shown alike; each
// command words the description for itself (what its JSON holds, what its batch is for).
// --backend lives with what it chooses, in backend-choice.ts.

export function jsonFlag(description: string) {
  return { name: 'json', type: 'boolean', description } as const;
}

export function batchFlag(description: string) {
  return { name: 'batch', type: 'number', value: 'N', description } as const;
}

/** --threads: the CPU engine's threads (parsed with the CPU backend, in backend-choice.ts). */
export function threadsFlag(description: string) {
  return { name: 'threads', type: 'number', value: 'N', description } as const;
}
