'use strict';
// Volunteers dying and coming back during a build: every `everyMs` (give or take half) a random live
// volunteer is SIGKILLed with every process sshd forked (testkit's kill), and started again on the same
// port with the same keys `downMs` later (restart). At most `maxDown` are down at once.

function startChaos(volunteers, { everyMs, downMs, maxDown = 1, rng = Math.random, log = () => undefined }) {
  const down = new Set();
  const events = [];
  let stopped = false;
  let timer = null;
  const pending = new Set();
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(strike, everyMs * (0.5 + rng()));
  };
  const strike = () => {
    const live = volunteers.filter((v) => !down.has(v));
    if (down.size < maxDown && live.length > 0) {
      const victim = live[Math.floor(rng() * live.length)];
      down.add(victim);
      const event = { kill: victim.alias, at: Date.now(), downMs: 0 };
      events.push(event);
      log(`  killed ${victim.alias}`);
      const back = victim
        .kill()
        .then(() => new Promise((resolve) => setTimeout(resolve, downMs)))
        .then(() => victim.restart())
        .then(() => {
          event.downMs = Date.now() - event.at;
          log(`  restarted ${victim.alias}`);
        })
        .catch((err) => log(`  ${victim.alias}: ${err.message}`))
        .finally(() => {
          down.delete(victim);
          pending.delete(back);
        });
      pending.add(back);
    }
    schedule();
  };
  schedule();
  return {
    /** Stops striking, waits for the dead ones to be back; resolves { kills, downMs: summed over kills, kill to sshd up again }. */
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.all([...pending]);
      return { kills: events.length, downMs: events.reduce((sum, e) => sum + e.downMs, 0) };
    },
  };
}

module.exports = { startChaos };
