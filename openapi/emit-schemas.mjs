// generated/schemas.ts: one exported name per component schema (`ContainerSummary`, `SystemInfo`,
// and the results the `name-inline-results` patch named), so callers never spell
// `components["schemas"][…]`.
import { tsFile } from "./ts-literal.mjs";

const HEADER = `import type { components } from "./engine.js";

type Schemas = components["schemas"];`;

/** Aliases for every schema of the patched document, in spec order. */
export function renderSchemas(spec, doc) {
  const aliases = Object.keys(doc.components.schemas).map((name) => `export type ${name} = Schemas[${JSON.stringify(name)}];`);
  return tsFile(spec, HEADER, aliases.join("\n"));
}
