// How a thrown value is put into words, the same way in the engine, the CLI, the extension host
// and the webview (anything can be thrown, not only Errors).

/** An Error's message; anything else as a string. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** An Error's stack (its message when it has none), for logs and bug reports; anything else as a string. */
export function errorDetails(e: unknown): string {
  return e instanceof Error ? e.stack ?? e.message : String(e);
}
