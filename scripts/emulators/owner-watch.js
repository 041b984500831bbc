// Preloaded into a storage emulator started for tests (`node --require owner-watch.js emulator.js …`): the emulator
// ends, and removes its private folder, once the process that started it is gone. A test host killed by its runner
// gets no chance to stop its children, and Linux does not end a child with its parent; an orphan is re-parented, so
// a changed parent pid is the signal (it cannot be fooled by a reused pid, as polling the old pid could).
//
// Environment: CAIRN_EMULATOR_DIR (optional): a folder removed before exiting (the emulator's temp files).
"use strict";

const fs = require("fs");

const owner = process.ppid;
const folder = process.env.CAIRN_EMULATOR_DIR;

const timer = setInterval(() => {
  if (process.ppid === owner) {
    return;
  }
  if (folder) {
    try {
      fs.rmSync(folder, { recursive: true, force: true });
    } catch {
      // Nothing more to do on the way out.
    }
  }
  process.exit(0);
}, 500);
// The watch alone must not keep node running.
timer.unref();
