import type { HttpHandler } from "msw";
import type { MockState } from "../state.js";
import { buildHandlers } from "./build.js";
import { containerHandlers } from "./containers.js";
import { eventHandlers } from "./events.js";
import { execHandlers } from "./exec.js";
import { imageHandlers } from "./images.js";
import { networkHandlers } from "./networks.js";
import type { DaemonSettings } from "./settings.js";
import { statsHandlers } from "./stats.js";
import { systemHandlers } from "./system.js";
import { volumeHandlers } from "./volumes.js";

/** Every built-in route of the mock daemon, backed by `state`. */
export function builtinHandlers(state: MockState, settings: DaemonSettings): HttpHandler[] {
  return [
    ...systemHandlers(state, settings),
    ...eventHandlers(state, settings),
    ...containerHandlers(state, settings),
    ...statsHandlers(state, settings),
    ...execHandlers(state),
    ...imageHandlers(state, settings),
    ...buildHandlers(state, settings),
    ...networkHandlers(state),
    ...volumeHandlers(state),
  ];
}
