// The database check's Postgres (PGlite) on its own thread. PGlite runs Postgres single-threaded in
// WebAssembly: it ignores statement_timeout (no timer can interrupt it), and an endless loop in a
// migration never gives the thread back. Here it can: the main thread times every call and ends this
// worker when one runs past the limit (tooling/db-check/session.ts speaks this protocol).
"use strict";
const { parentPort, workerData } = require("node:worker_threads");

/** The fields of a Postgres error PGlite passes on, as plain data for the other thread. */
function errorFields(error) {
  const fields = {};
  for (const key of ["message", "code", "position", "detail", "hint", "constraint", "column"]) {
    const value = error === null || typeof error !== "object" ? undefined : error[key];
    if (typeof value === "string") fields[key] = value;
  }
  if (fields.message === undefined) fields.message = String(error);
  return fields;
}

async function main() {
  const { PGlite } = require(workerData.pglitePath);
  const extensions = {};
  for (const { name, path } of workerData.extensions) extensions[name] = require(path)[name];
  // An image of a bootstrapped data directory (a tar, see image-cache.ts) skips initdb and the bootstrap.
  const loadDataDir = workerData.image === undefined ? undefined : new Blob([workerData.image]);
  const db = await PGlite.create(loadDataDir === undefined ? { extensions } : { extensions, loadDataDir });
  parentPort.postMessage({ ready: true });
  parentPort.on("message", (request) => {
    const run =
      request.op === "close"
        ? db.close().then(() => ({ rows: [] }))
        : request.op === "dump"
          ? db
              .dumpDataDir("none")
              .then(async (tar) => ({ rows: [], image: new Uint8Array(await tar.arrayBuffer()) }))
          : request.op === "exec"
            ? db.exec(request.sql).then(() => ({ rows: [] }))
            : db
                .query(request.sql, request.params)
                .then((result) => ({ rows: result.rows, affectedRows: result.affectedRows }));
    run.then(
      ({ rows, affectedRows, image }) =>
        parentPort.postMessage(
          {
            id: request.id,
            ok: true,
            rows,
            affectedRows,
            image,
            inTransaction: request.op !== "close" && db.isInTransaction(),
          },
          image === undefined ? [] : [image.buffer],
        ),
      (error) =>
        parentPort.postMessage({
          id: request.id,
          ok: false,
          error: errorFields(error),
          inTransaction: request.op !== "close" && !db.closed && db.isInTransaction(),
        }),
    );
  });
}

main().catch((error) => parentPort.postMessage({ startError: errorFields(error) }));
