// dockhand as users run it: the compiled JavaScript (bench/.build, built from ../src by run.mjs).
// DOCKHAND_BUILD=<dir> points at another build (e.g. one with a proposed patch) for an A/B run.
import { dockhandAdapter } from "../dockhand-adapter.mjs";

export const { info, open } = await dockhandAdapter(process.env.DOCKHAND_BUILD ?? new URL("../../.build", import.meta.url).pathname, "dockhand");
