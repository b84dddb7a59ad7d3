// Preloaded (node --require) into a stdio MCP server by bench/phases.mjs: timestamps of each call's
// phases from outside the server's code, so any server that calls its upstream with undici can be
// measured the same way. Per request line on stdin:
//   in        the line arrives (stdin 'data')
//   create    undici creates the upstream request        (diagnostics channel undici:request:create)
//   trailers  the whole upstream body has arrived         (undici:request:trailers)
//   out       the answer is written to stdout
// At exit the medians go to the JSON file named by PHASES_OUT.
"use strict";
const dc = require("node:diagnostics_channel");
const { writeFileSync } = require("node:fs");
const { performance } = require("node:perf_hooks");

const calls = [];
let current = null;
const mark = (name) => {
  if (current && current[name] === undefined) current[name] = performance.now();
};

// Wrapping emit, not adding a listener: a listener would start the stream before the server listens.
const emit = process.stdin.emit;
process.stdin.emit = function (event, ...args) {
  if (event === "data") current = { in: performance.now() };
  return emit.call(this, event, ...args);
};
dc.subscribe("undici:request:create", () => mark("create"));
dc.subscribe("undici:request:trailers", () => mark("trailers"));
const write = process.stdout.write;
process.stdout.write = function (...args) {
  if (current && current.trailers !== undefined) {
    current.out = performance.now();
    calls.push(current);
    current = null;
  }
  return write.apply(this, args);
};

process.on("exit", () => {
  const skip = Number(process.env.PHASES_SKIP ?? 0);
  const measured = calls.slice(skip);
  const median = (f) => {
    const v = measured.map(f).sort((a, b) => a - b);
    return v.length ? v[v.length >> 1] : NaN;
  };
  const out = {
    calls: measured.length,
    before_request_ms: median((c) => c.create - c.in),
    upstream_ms: median((c) => c.trailers - c.create),
    after_response_ms: median((c) => c.out - c.trailers),
    total_ms: median((c) => c.out - c.in),
  };
  if (process.env.PHASES_OUT) writeFileSync(process.env.PHASES_OUT, JSON.stringify(out));
});
