// The whole generation, in memory: spec files in, generated file contents and source pin out.
// Writing or comparing them is the CLI's business (generate.mjs).
import { toOpenApi3 } from "./convert.mjs";
import { computeFilters, renderFilters } from "./emit-filters.mjs";
import { renderEngine } from "./emit-engine.mjs";
import { renderSchemas } from "./emit-schemas.mjs";
import { collectOperations, renderOperations } from "./emit-operations.mjs";
import { computeSince, renderSince } from "./emit-since.mjs";
import { FILTER_SUPPLEMENT } from "./filters-supplement.mjs";
import { applyPatches } from "./patches.mjs";
import { loadHistory, loadSpec } from "./spec.mjs";
import { indexVersion } from "./spec-index.mjs";
import { stripProse } from "./strip.mjs";

const MOBY_COMMIT_NOTE =
  "The spec files carry no moby commit (only the API version); record it here if the copy's origin becomes known.";

/**
 * Runs the pipeline for `specFile`: convert → patch → strip → openapi-typescript, plus the
 * operations/since/filters tables. Returns `{ files, source }` where `files` maps repository
 * paths to their full text and `source` is the pin for openapi/source.json.
 */
export async function generate(specFile) {
  const target = await loadSpec(specFile);
  const history = await loadHistory(target);
  const indexes = history.map(indexVersion);
  const doc = applyPatches(await toOpenApi3(target.doc), { history, targetVersion: target.version });

  const files = {
    "generated/engine.ts": await renderEngine(target, stripProse(doc)),
    "generated/schemas.ts": renderSchemas(target, doc),
    "generated/operations.ts": renderOperations(target, collectOperations(doc)),
    "generated/since.ts": renderSince(target, computeSince(indexes, doc)),
    "generated/filters.ts": renderFilters(target, computeFilters(indexes, doc, FILTER_SUPPLEMENT)),
  };
  const source = {
    spec: target.fileName,
    apiVersion: target.version,
    sha256: target.sha256,
    history: Object.fromEntries(history.map((spec) => [spec.fileName, spec.sha256])),
    mobyCommit: null,
    mobyCommitNote: MOBY_COMMIT_NOTE,
  };
  return { files, source };
}
