// The training loop's control on its own: pause / resume / step once / stop, with a fake clock and
// hooks that record what the gate asked the loop to do.

import * as assert from 'node:assert/strict';
import { StepGate } from '../../../../src/engine/train/step-gate';

function harness() {
  const clock = { t: 0 };
  const calls: string[] = [];
  const gate = new StepGate({
    now: () => clock.t,
    settle: async () => { calls.push('settle'); },
    paused: () => calls.push(`paused (${gate.status})`),
    resumed: () => calls.push(`resumed (${gate.status})`),
    slept: (ms) => calls.push(`slept ${ms}`),
  });
  return { gate, clock, calls };
}

/** Lets pending promise callbacks and one macrotask run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Whether `p` has settled by now. */
async function isSettled(p: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void p.then(() => { settled = true; }, () => { settled = true; });
  await settle();
  return settled;
}

describe('train: step gate', () => {
  it('lets steps through while running, and none after stop()', async () => {
    const { gate } = harness();
    assert.equal(gate.status, 'idle');
    gate.open();
    assert.equal(gate.status, 'running');
    assert.equal(await gate.pass(), true);
    assert.equal(gate.stopping, false);
    gate.stop();
    assert.equal(gate.stopping, true);
    assert.equal(await gate.pass(), false);
    gate.close();
    assert.equal(gate.status, 'done');
  });

  it('pauses after settling, sleeps until resume() and reports the time slept', async () => {
    const { gate, clock, calls } = harness();
    gate.open();
    gate.pause();
    const next = gate.pass();
    assert.equal(await isSettled(next), false, 'no step while paused');
    assert.deepEqual(calls, ['settle', 'paused (paused)']);
    assert.equal(gate.status, 'paused');
    clock.t += 50;
    gate.resume();
    assert.equal(await next, true);
    assert.deepEqual(calls, ['settle', 'paused (paused)', 'resumed (running)', 'slept 50']);
    assert.equal(gate.status, 'running');
  });

  it('lets exactly one step through per step() while paused, resolving it at releaseSteps()', async () => {
    const { gate, calls } = harness();
    gate.open();
    gate.pause();
    const sleeping = gate.pass();
    await settle();
    const stepped = gate.step();
    assert.equal(await sleeping, true);
    assert.equal(gate.status, 'paused', 'a single step keeps the run paused');
    assert.equal(await isSettled(stepped), false, 'step() waits for its report');
    gate.releaseSteps();
    await stepped;
    assert.equal(await isSettled(gate.pass()), false, 'the next pass sleeps again');
    assert.ok(!calls.includes('resumed (running)'));
  });

  it('stop() wakes a paused loop', async () => {
    const { gate } = harness();
    gate.open();
    gate.pause();
    const next = gate.pass();
    await settle();
    gate.stop();
    assert.equal(await next, false);
  });

  it('refuses step() unless paused, and a second open()', async () => {
    const { gate } = harness();
    await assert.rejects(gate.step(), /step\(\) needs a paused trainer; call pause\(\) first/);
    gate.pause();  // not running: ignored
    gate.open();
    assert.equal(await gate.pass(), true);
    assert.throws(() => gate.open(), /run\(\) was already called \(trainer is running\)/);
  });

  it('yields to the event loop once YIELD_INTERVAL_MS (30 ms) have passed', async () => {
    const { gate, clock } = harness();
    gate.open();
    assert.equal(await gate.yieldIfDue(), false);
    clock.t = 29;
    assert.equal(await gate.yieldIfDue(), false);
    clock.t = 30;
    let timerRan = false;
    setTimeout(() => { timerRan = true; }, 0);
    const due = Date.now() + 3;
    while (Date.now() < due) { /* let the timer fall due */ }
    assert.equal(await gate.yieldIfDue(), true);
    assert.equal(timerRan, true, 'a task queued before the yield ran during it');
    assert.equal(await gate.yieldIfDue(), false, 'the interval restarts after a yield');
  });
});
