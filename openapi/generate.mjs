// `npm run generate` writes generated/ and openapi/source.json from the Engine API spec;
// `npm run generate:check` regenerates in memory and fails if generated/ is stale.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { generate } from "./pipeline.mjs";
import { REPO_ROOT, specAbsence, specPath } from "./spec.mjs";

const SOURCE_PIN = "openapi/source.json";

async function readIfPresent(file) {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if (error.code === "ENOENT") return undefined;
    throw error;
  }
}

async function main(args) {
  const unknown = args.filter((arg) => arg !== "--check");
  if (unknown.length > 0) throw new Error(`unknown argument(s): ${unknown.join(" ")} (only --check is accepted)`);
  const check = args.includes("--check");
  const absent = specAbsence();
  if (absent) {
    // generated/ is committed, so a bare clone builds and tests without the specs; only the
    // staleness check is lost. CI (DOCKHAND_REQUIRE_FIXTURES) always has them: fail there.
    if (!check || /^(1|true)$/i.test(process.env.DOCKHAND_REQUIRE_FIXTURES?.trim() ?? "")) {
      throw new Error(`${absent}; set ENGINE_API_SPEC=path/to/v1.55.yaml or put the specs in ../shared/engine-api`);
    }
    console.log(`generate:check skipped: ${absent}; generated/ is committed and used as is`);
    return 0;
  }

  const { files, source } = await generate(specPath());
  const pinText = `${JSON.stringify(source, null, 2)}\n`;
  const stale = [];
  for (const [relative, text] of Object.entries(files)) {
    const file = path.join(REPO_ROOT, relative);
    if ((await readIfPresent(file)) === text) continue;
    stale.push(relative);
    if (!check) await writeFile(file, text);
  }

  if (!check) {
    await writeFile(path.join(REPO_ROOT, SOURCE_PIN), pinText);
    console.log(stale.length > 0 ? `updated ${stale.join(", ")}` : "generated/ already up to date");
    return 0;
  }

  const pin = JSON.parse((await readIfPresent(path.join(REPO_ROOT, SOURCE_PIN))) ?? "{}");
  if (pin.sha256 !== source.sha256) {
    console.warn(`warning: ${source.spec} has sha256 ${source.sha256}, but ${SOURCE_PIN} pins ${pin.sha256 ?? "nothing"}`);
  }
  if (stale.length > 0) {
    console.error(`generated/ is stale; run \`npm run generate\`. Differing files:\n${stale.map((f) => `  ${f}`).join("\n")}`);
    return 1;
  }
  console.log("generated/ is up to date");
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error) => {
    console.error(`generate failed: ${error instanceof Error ? error.message : error}`);
    process.exitCode = 1;
  },
);
