// The request layer: replies matched by id (in any order), results validated, failures, timeouts and
// disposal rejecting what is pending; the responder validating params and answering every request once.
import * as assert from 'node:assert/strict';
import * as v from 'valibot';
import {
  Requester, RequestError, requestMessageSchema, requestType, Responder, responseMessageSchema,
  type RequestMessage, type ResponseMessage,
} from '../../src/rpc';
import { int, parse, str } from '../../src/schema';

const add = requestType('add', { params: v.object({ a: int(), b: int() }), result: v.object({ sum: int() }) });
const echo = requestType('echo', { params: v.object({ text: str(10) }), result: str(10) });
const slow = requestType('slow', { params: v.object({}), result: v.null(), timeoutMs: 20 });

/** A requester whose posts are recorded instead of sent. */
function recording() {
  const sent: { message: RequestMessage }[] = [];
  const requester = new Requester((message) => sent.push({ message }));
  return { requester, sent };
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof Error);
    return e;
  }
  assert.fail('expected a rejection');
}

describe('rpc: requester', () => {
  it('posts a request envelope and resolves with the validated result of its reply', async () => {
    const { requester, sent } = recording();
    const sum = requester.request(add, { a: 2, b: 3 });
    assert.equal(sent.length, 1);
    const { message } = sent[0];
    assert.deepEqual(parse(requestMessageSchema, message), { type: 'request', id: message.id, method: 'add', params: { a: 2, b: 3 } });
    assert.equal(requester.receive({ type: 'response', id: message.id, result: { sum: 5, extra: 'dropped' } }), true);
    assert.deepEqual(await sum, { sum: 5 });
  });

  it('matches replies to requests by id, in whatever order they come', async () => {
    const { requester, sent } = recording();
    const first = requester.request(echo, { text: 'one' });
    const second = requester.request(echo, { text: 'two' });
    const [a, b] = sent.map((s) => s.message.id);
    assert.notEqual(a, b);
    requester.receive({ type: 'response', id: b, result: 'second' });
    requester.receive({ type: 'response', id: a, result: 'first' });
    assert.deepEqual(await Promise.all([first, second]), ['first', 'second']);
  });

  it('rejects a request whose reply does not match its result schema, and only that one', async () => {
    const { requester, sent } = recording();
    const bad = requester.request(add, { a: 1, b: 1 });
    const good = requester.request(add, { a: 1, b: 2 });
    requester.receive({ type: 'response', id: sent[0].message.id, result: { sum: 'two' } });
    requester.receive({ type: 'response', id: sent[1].message.id, result: { sum: 3 } });
    const e = await rejection(bad);
    assert.ok(e instanceof RequestError);
    assert.equal(e.method, 'add');
    assert.match(e.message, /^add got an invalid reply: result\.sum: expected a number, got "two"$/);
    assert.deepEqual(await good, { sum: 3 });
  });

  it('rejects with the other side\'s error', async () => {
    const { requester, sent } = recording();
    const p = requester.request(echo, { text: 'x' });
    requester.receive({ type: 'response', id: sent[0].message.id, error: 'nothing to echo: training has not started' });
    assert.equal((await rejection(p)).message, 'nothing to echo: training has not started');
  });

  it('ignores replies to no pending request: unknown ids and second replies', async () => {
    const { requester, sent } = recording();
    assert.equal(requester.receive({ type: 'response', id: 99, result: 'x' }), false);
    const p = requester.request(echo, { text: 'x' });
    const id = sent[0].message.id;
    assert.equal(requester.receive({ type: 'response', id, result: 'once' }), true);
    assert.equal(requester.receive({ type: 'response', id, result: 'twice' }), false);
    assert.equal(await p, 'once');
  });

  it('rejects every pending request on dispose, and refuses new ones', async () => {
    const { requester, sent } = recording();
    const pending = [requester.request(echo, { text: 'a' }), requester.request(add, { a: 1, b: 2 })];
    requester.dispose('the engine was stopped');
    const errors = await Promise.all(pending.map(rejection));
    assert.deepEqual(errors.map((e) => e.message), ['echo was cancelled: the engine was stopped', 'add was cancelled: the engine was stopped']);
    assert.equal(requester.receive({ type: 'response', id: sent[0].message.id, result: 'late' }), false, 'a late reply finds nothing');
    const after = await rejection(requester.request(echo, { text: 'b' }));
    assert.equal(after.message, 'echo was not sent: the engine was stopped');
    assert.equal(sent.length, 2, 'nothing is posted after dispose');
  });

  it('rejects a request that gets no reply within its timeout; a reply after it is ignored', async () => {
    const { requester, sent } = recording();
    const e = await rejection(requester.request(slow, {}));
    assert.equal(e.message, 'slow got no reply within 0.02 s');
    assert.equal(requester.receive({ type: 'response', id: sent[0].message.id, result: null }), false);
  });

  it('rejects when posting fails, leaving nothing pending', async () => {
    const requester = new Requester(() => { throw new Error('DataCloneError'); });
    assert.equal((await rejection(requester.request(echo, { text: 'x' }))).message, 'DataCloneError');
    assert.equal(requester.receive({ type: 'response', id: 1, result: 'x' }), false);
  });
});

describe('rpc: responder', () => {
  function responder() {
    const replies: { message: ResponseMessage; transfer: Transferable[] }[] = [];
    const failures: string[] = [];
    const r = new Responder((message, transfer) => replies.push({ message, transfer }), (method, message) => failures.push(`${method}: ${message}`));
    return { r, replies, failures };
  }
  const request = (id: number, method: string, params: unknown): RequestMessage => ({ type: 'request', id, method, params });

  it('answers with the handler\'s result, sync or async', async () => {
    const { r, replies } = responder();
    r.on(add, ({ a, b }) => ({ sum: a + b })).on(echo, async ({ text }) => text.toUpperCase());
    await r.receive(request(1, 'add', { a: 2, b: 5 }));
    await r.receive(request(2, 'echo', { text: 'hi' }));
    assert.deepEqual(replies.map((x) => parse(responseMessageSchema, x.message)), [
      { type: 'response', id: 1, result: { sum: 7 } },
      { type: 'response', id: 2, result: 'HI' },
    ]);
  });

  it('refuses invalid params without calling the handler, and says why', async () => {
    const { r, replies, failures } = responder();
    let called = false;
    r.on(add, () => { called = true; return { sum: 0 }; });
    await r.receive(request(3, 'add', { a: 1, b: 'x' }));
    assert.equal(called, false);
    assert.deepEqual(replies.map((x) => x.message), [{ type: 'response', id: 3, error: 'invalid add request: params.b: expected a number, got "x"' }]);
    assert.deepEqual(failures, ['add: invalid add request: params.b: expected a number, got "x"']);
  });

  it('answers an unknown method and a failing handler with an error', async () => {
    const { r, replies, failures } = responder();
    r.on(echo, () => { throw new Error('no echo here'); });
    await r.receive(request(4, 'explode', {}));
    await r.receive(request(5, 'echo', { text: 'x' }));
    assert.deepEqual(replies.map((x) => x.message), [
      { type: 'response', id: 4, error: 'unknown request "explode"' },
      { type: 'response', id: 5, error: 'no echo here' },
    ]);
    assert.equal(failures.length, 2);
  });

  it('moves the buffers the request type names', async () => {
    const data = new Float32Array(4);
    const tensors = requestType('tensors', {
      params: v.object({}), result: v.object({ data: v.instance(Float32Array) }), transfer: (r) => [r.data.buffer],
    });
    const { r, replies } = responder();
    r.on(tensors, () => ({ data }));
    await r.receive(request(6, 'tensors', {}));
    assert.deepEqual(replies[0].transfer, [data.buffer]);
  });

  it('round-trips through a requester, across a loopback channel', async () => {
    let requester: Requester;
    const r = new Responder((reply) => queueMicrotask(() => requester.receive(parse(responseMessageSchema, reply))))
      .on(add, ({ a, b }) => ({ sum: a + b }));
    requester = new Requester((req) => void r.receive(parse(requestMessageSchema, req)));
    assert.deepEqual(await Promise.all([requester.request(add, { a: 1, b: 2 }), requester.request(add, { a: 3, b: 4 })]), [{ sum: 3 }, { sum: 7 }]);
  });
});
