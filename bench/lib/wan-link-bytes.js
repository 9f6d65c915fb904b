'use strict';
// Bytes on the WAN link itself: the kernel's counters of the root end of the volunteer's veth pair. Every
// byte that crosses the shaped link passes there (SSH, TCP/IP headers, retransmits and ACKs included), and
// nothing else does: the link belongs to this one volunteer.
const fs = require('node:fs');
const path = require('node:path');

const FIELDS = ['tx_bytes', 'rx_bytes', 'tx_packets', 'rx_packets'];

/** { tx_bytes, rx_bytes, tx_packets, rx_packets } of `device` (tx = towards the volunteer). */
function linkCounters(device) {
  const dir = path.join('/sys/class/net', device, 'statistics');
  return Object.fromEntries(FIELDS.map((name) => [name, Number(fs.readFileSync(path.join(dir, name), 'utf8').trim())]));
}

/** What crossed the link between two readings: { up, down } bytes (up = to the volunteer) and packets. */
function linkDelta(before, after) {
  return {
    up: after.tx_bytes - before.tx_bytes,
    down: after.rx_bytes - before.rx_bytes,
    packets: after.tx_packets - before.tx_packets + (after.rx_packets - before.rx_packets),
  };
}

/** Seconds the link needs to carry `up` and `down` bytes at `rateMbit` per direction, one after the other. */
function linkSeconds({ up, down }, rateMbit) {
  return ((up + down) * 8) / (rateMbit * 1e6);
}

module.exports = { linkCounters, linkDelta, linkSeconds };
