// The same adapter over a build of another commit (`run.mjs --baseline <ref>` sets
// DOCKHAND_BASELINE_BUILD), measured in the same run and rounds as the current tree.
import { dockhandAdapter } from "../dockhand-adapter.mjs";

const dir = process.env.DOCKHAND_BASELINE_BUILD;
if (!dir) throw new Error("dockhand-baseline needs DOCKHAND_BASELINE_BUILD (run.mjs --baseline <ref> sets it)");
export const { info, open } = await dockhandAdapter(dir, "dockhand-baseline");
