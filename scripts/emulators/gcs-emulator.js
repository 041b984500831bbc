#!/usr/bin/env node
// Serves the Google Cloud Storage JSON API on 127.0.0.1 using the storage emulator inside firebase-tools.
//
// `firebase emulators:start` cannot be used here: it insists on Java 21 and downloads a rules-runtime jar at start.
// That runtime only evaluates Firebase security rules, and the GCS JSON API routes (/storage/v1, /upload/storage/v1,
// /download/storage/v1) go through the admin layer, which never consults the rules. So this script builds the
// emulator object and its Express app directly and never calls start().
//
// The emulator finalizes a resumable upload on the first PUT to its session, whatever Content-Range says, so a
// client that uploads in chunks silently stores only the first one. With GCS_CHUNKED_UPLOADS=1 this script puts a
// small layer in front of it that speaks the chunked part of the protocol as GCS documents it: a PUT with
// "Content-Range: bytes a-b/*" is kept and answered 308 with "Range: bytes=0-b"; intermediate chunks must be
// multiples of 256 KiB and start where the stored bytes end; "bytes */*" asks for the status; a PUT that names
// the total size completes the upload, at which point the collected bytes go to the emulator in one PUT; DELETE on
// a session cancels it (499). Everything else goes to the emulator untouched. GCS may keep only part of a chunk
// (the 308's Range then ends early and the client must resend the rest); GCS_CHUNKED_UPLOADS=partial makes the
// layer do that on purpose, keeping half of every intermediate chunk of 512 KiB or more.
//
// Environment: PORT (default 9199), PROJECT (default demo-cairn), TMPDIR (object bodies go to
// $TMPDIR/firebase/storage/blobs; point it at a throwaway folder), GCS_CHUNKED_UPLOADS (1 or partial to enable
// the layer).
// The modules are looked up in .tools/emulators/node_modules or through NODE_PATH.
"use strict";

const http = require("http");
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
const chunkedUploads = ["1", "partial"].includes(process.env.GCS_CHUNKED_UPLOADS);
const keepHalf = process.env.GCS_CHUNKED_UPLOADS === "partial";
const GRANULARITY = 256 * 1024;
const INTERNAL = "x-cairn-assembled-upload";

// upload_id -> array of Buffers received so far (and their total length)
const sessions = new Map();

function readBody(req) {
  return new Promise((resolve, reject) => {
    const parts = [];
    req.on("data", (part) => parts.push(part));
    req.on("end", () => resolve(Buffer.concat(parts)));
    req.on("error", reject);
  });
}

function reply(res, status, headers = {}, body = "") {
  res.writeHead(status, { "Content-Length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

function stored(session) {
  return session.parts.reduce((n, p) => n + p.length, 0);
}

function rangeHeader(size) {
  return size > 0 ? { Range: `bytes=0-${size - 1}` } : {};
}

// Sends the assembled object to the emulator as one PUT on the same session and relays its answer.
function complete(req, res, uploadUrl, body) {
  const forward = http.request(
    { host, port, method: "PUT", path: uploadUrl, headers: { "content-type": req.headers["content-type"] || "application/octet-stream", "content-length": body.length, [INTERNAL]: "1", host: req.headers.host } },
    (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
  forward.on("error", (err) => reply(res, 502, {}, `assembling the upload failed: ${err.message}`));
  forward.end(body);
}

async function chunkLayer(req, res, app) {
  const url = new URL(req.url, `http://${host}`);
  const id = url.searchParams.get("upload_id");
  const isSession = url.pathname.startsWith("/upload/storage/v1/b/") && id;
  if (!isSession || req.headers[INTERNAL]) return app(req, res);
  if (req.method === "DELETE") {
    sessions.delete(id);
    return reply(res, 499);
  }
  const contentRange = req.headers["content-range"];
  if (req.method !== "PUT" || !contentRange) return app(req, res);

  const m = /^bytes (?:\*|(\d+)-(\d+))\/(\*|\d+)$/.exec(contentRange.trim());
  if (!m) return reply(res, 400, {}, `bad Content-Range: ${contentRange}`);
  const body = await readBody(req);
  const session = sessions.get(id) || { parts: [] };
  sessions.set(id, session);
  let size = stored(session);
  if (m[1] !== undefined) {
    const first = Number(m[1]), last = Number(m[2]);
    if (last - first + 1 !== body.length) return reply(res, 400, {}, "Content-Range does not match the body length");
    if (first > size) return reply(res, 400, {}, `chunk starts at ${first} but only ${size} bytes are stored`);
    let fresh = body.subarray(size - first); // a resent overlap is dropped
    if (m[3] === "*" && (last + 1) % GRANULARITY !== 0) return reply(res, 400, {}, "intermediate chunks must be multiples of 256 KiB");
    if (keepHalf && m[3] === "*" && fresh.length >= 2 * GRANULARITY) {
      fresh = fresh.subarray(0, Math.floor(fresh.length / 2 / GRANULARITY) * GRANULARITY);
    }
    session.parts.push(fresh);
    size += fresh.length;
  } else if (body.length > 0) {
    return reply(res, 400, {}, "a status query carries no body");
  }
  if (m[3] === "*") return reply(res, 308, rangeHeader(size));
  const total = Number(m[3]);
  if (size < total) return reply(res, 308, rangeHeader(size));
  if (size > total) return reply(res, 400, {}, `received ${size} bytes, more than the declared ${total}`);
  sessions.delete(id);
  return complete(req, res, req.url, Buffer.concat(session.parts));
}

async function main() {
  const emulator = new StorageEmulator({ projectId, host, port, rules: [], auto_download: false });
  // Self links and upload session URLs are built from the registry's host:port for the storage emulator;
  // registering the instance is enough, starting it through the registry would start the Java runtime.
  EmulatorRegistry.set("storage", emulator);
  const app = await createApp(projectId, emulator);
  const handler = chunkedUploads
    ? (req, res) => chunkLayer(req, res, app).catch((err) => reply(res, 500, {}, String(err && err.message)))
    : app;
  const server = http.createServer(handler);
  server.listen(port, host, () => {
    process.stdout.write(`gcs emulator listening on http://${host}:${port}${chunkedUploads ? ` (chunked uploads${keepHalf ? ", half kept" : ""})` : ""}\n`);
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
