#!/usr/bin/env node
// Serves the Google Cloud Storage JSON API on 127.0.0.1 using the storage emulator inside firebase-tools.
//
// `firebase emulators:start` cannot be used here: it insists on Java 21 and downloads a rules-runtime jar at start.
// That runtime only evaluates Firebase security rules, and the GCS JSON API routes (/storage/v1, /upload/storage/v1,
// /download/storage/v1) go through the admin layer, which never consults the rules. So this script builds the
// emulator object and its Express app directly and never calls start().
//
// Environment: PORT (default 9199), PROJECT (default demo-cairn), TMPDIR (object bodies go to
// $TMPDIR/firebase/storage/blobs; point it at a throwaway folder). The modules are looked up next to this file's
// install location (.tools/emulators/node_modules) or through NODE_PATH.
"use strict";

const path = require("path");

function load(modulePath) {
  const roots = [path.join(__dirname, "node_modules"), path.resolve(__dirname, "../../.tools/emulators/node_modules")];
  for (const root of roots) {
    try {
      return require(path.join(root, modulePath));
    } catch (e) {
      if (e.code !== "MODULE_NOT_FOUND") throw e;
    }
  }
  return require(modulePath);
}

const { StorageEmulator } = load("firebase-tools/lib/emulator/storage");
const { createApp } = load("firebase-tools/lib/emulator/storage/server");
const { EmulatorRegistry } = load("firebase-tools/lib/emulator/registry");

const host = "127.0.0.1";
const port = Number.parseInt(process.env.PORT || "9199", 10);
const projectId = process.env.PROJECT || "demo-cairn";

async function main() {
  const emulator = new StorageEmulator({ projectId, host, port, rules: [], auto_download: false });
  // Self links and upload session URLs are built from the registry's host:port for the storage emulator;
  // registering the instance is enough, starting it through the registry would start the Java runtime.
  EmulatorRegistry.set("storage", emulator);
  const app = await createApp(projectId, emulator);
  const server = app.listen(port, host, () => {
    process.stdout.write(`gcs emulator listening on http://${host}:${port}\n`);
  });
  server.on("error", (err) => {
    process.stderr.write(`gcs emulator: ${err.message}\n`);
    process.exit(1);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((err) => {
  process.stderr.write(`gcs emulator failed to start: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
