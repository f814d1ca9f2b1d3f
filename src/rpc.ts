// Typed requests over a message channel, modelled on rust-analyzer's lsp_ext.ts: each request is one
// constant (`requestType`) naming its method and the schemas of its params and result. A Requester
// sends requests and matches the replies by id; a Responder answers them, one handler per request.
// Each end validates what it receives (the responder the params, the requester the result), so a bad
// message rejects its request instead of reaching the code that asked.
//
// On the wire a request is `{ type: 'request', id, method, params }` and its reply
// `{ type: 'response', id, result }` or `{ type: 'response', id, error }`. Both sit beside a protocol's
// other messages in its `type` union, so one schema checks everything a side receives.
//
// Pure: runs in the extension host, the webview, the CPU worker and unit tests.

import { errorMessage } from './engine/errors';
import * as v from 'valibot';
import { int, parse, str } from './schema';

export interface RequestType<P extends v.GenericSchema = v.GenericSchema, R extends v.GenericSchema = v.GenericSchema> {
  readonly method: string;
  readonly params: P;
  readonly result: R;
  /** Milliseconds to wait for the reply; without one, until the requester is disposed. */
  readonly timeoutMs?: number;
  /** Buffers the reply moves to the other side instead of copying them (a worker's tensors). */
  transfer?(result: v.InferOutput<R>): Transferable[];
}

export type ParamsOf<T extends RequestType> = v.InferOutput<T['params']>;
export type ResultOf<T extends RequestType> = v.InferOutput<T['result']>;

export function requestType<P extends v.GenericSchema, R extends v.GenericSchema>(
  method: string, definition: Omit<RequestType<P, R>, 'method'>,
): RequestType<P, R> {
  return { method, ...definition };
}

export const requestMessageSchema = v.object({
  type: v.literal('request'),
  id: int(1),
  method: str(200),
  /** Checked by the responder against the request's params schema. */
  params: v.unknown(),
});
export type RequestMessage = v.InferOutput<typeof requestMessageSchema>;

export const responseMessageSchema = v.object({
  type: v.literal('response'),
  id: int(1),
  /** Checked by the requester against the request's result schema. */
  result: v.optional(v.unknown()),
  /** Why the request failed; absent when it succeeded. */
  error: v.optional(str(20_000)),
});
export type ResponseMessage = v.InferOutput<typeof responseMessageSchema>;

/** A request that got no result: the other side failed, the reply was invalid or late, or the channel closed. */
export class RequestError extends Error {
  override readonly name = 'RequestError';
  constructor(readonly method: string, message: string) {
    super(message);
  }
}

interface Pending {
  readonly type: RequestType;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout> | null;
}

/** Sends requests and settles each with its reply, matched by id. */
export class Requester {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed: string | null = null;

  constructor(private readonly post: (message: RequestMessage) => void) {}

  /** Resolves with the validated result; rejects with a RequestError (or the error posting threw). */
  request<T extends RequestType>(type: T, params: ParamsOf<T>): Promise<ResultOf<T>> {
    if (this.closed !== null) return Promise.reject(new RequestError(type.method, `${type.method} was not sent: ${this.closed}`));
    const id = this.nextId++;
    return new Promise<ResultOf<T>>((resolve, reject) => {
      const timer = type.timeoutMs === undefined ? null : setTimeout(() => {
        this.take(id)?.reject(new RequestError(type.method, `${type.method} got no reply within ${type.timeoutMs! / 1000} s`));
      }, type.timeoutMs);
      this.pending.set(id, { type, resolve: resolve as (result: unknown) => void, reject, timer });
      try {
        this.post({ type: 'request', id, method: type.method, params });
      } catch (e) {
        this.take(id);
        reject(e instanceof Error ? e : new RequestError(type.method, String(e)));
      }
    });
  }

  /** Settles the request `response` answers; false when it answers none that is pending (late or unknown). */
  receive(response: ResponseMessage): boolean {
    const p = this.take(response.id);
    if (!p) return false;
    const { method } = p.type;
    if (response.error !== undefined) {
      p.reject(new RequestError(method, response.error));
      return true;
    }
    let result: unknown;
    try {
      result = parse(p.type.result, response.result, 'result');
    } catch (e) {
      p.reject(new RequestError(method, `${method} got an invalid reply: ${errorMessage(e)}`));
      return true;
    }
    p.resolve(result);
    return true;
  }

  /** Rejects every pending request and refuses new ones. */
  dispose(reason: string): void {
    if (this.closed !== null) return;
    this.closed = reason;
    for (const id of [...this.pending.keys()]) {
      const p = this.take(id)!;
      p.reject(new RequestError(p.type.method, `${p.type.method} was cancelled: ${reason}`));
    }
  }

  private take(id: number): Pending | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    if (p.timer !== null) clearTimeout(p.timer);
    return p;
  }
}

type Handler = (params: unknown) => unknown;

/** Answers requests: one handler per request type; every request gets exactly one reply. */
export class Responder {
  private readonly handlers = new Map<string, { readonly type: RequestType; readonly handle: Handler }>();

  /** `onFailure`: for the log, each request that was refused or whose handler failed. */
  constructor(
    private readonly post: (message: ResponseMessage, transfer: Transferable[]) => void,
    private readonly onFailure: (method: string, message: string) => void = () => {},
  ) {}

  on<T extends RequestType>(type: T, handle: (params: ParamsOf<T>) => ResultOf<T> | Promise<ResultOf<T>>): this {
    this.handlers.set(type.method, { type, handle: handle as Handler });
    return this;
  }

  /** Validates the params, runs the handler and posts its result, or why there is none. Never rejects. */
  async receive(request: RequestMessage): Promise<void> {
    const { id, method } = request;
    const entry = this.handlers.get(method);
    if (!entry) return this.fail(id, method, `unknown request ${JSON.stringify(method)}`);
    let params: unknown;
    try {
      params = parse(entry.type.params, request.params, 'params');
    } catch (e) {
      return this.fail(id, method, `invalid ${method} request: ${errorMessage(e)}`);
    }
    try {
      const result = await entry.handle(params);
      this.post({ type: 'response', id, result }, entry.type.transfer?.(result) ?? []);
    } catch (e) {
      this.fail(id, method, errorMessage(e));
    }
  }

  private fail(id: number, method: string, message: string): void {
    this.onFailure(method, message);
    this.post({ type: 'response', id, error: message }, []);
  }
}

