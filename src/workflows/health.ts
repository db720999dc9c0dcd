import type { components } from "../../generated/engine.js";
import { ContainerExitedError, ContainerUnhealthyError, DockerArgumentError, type HealthCheckResult } from "../core/errors.js";
import type { RequestOptions } from "../core/types.js";
import type { ContainerOperations } from "../resources/containers.js";
import { checkFields, type AnswerFields } from "../core/shape.js";
import { Deadline } from "./deadline.js";

type ContainerInspect = components["schemas"]["ContainerInspectResponse"];

/** Options of `containers.waitHealthy`. */
export interface WaitHealthyOptions extends RequestOptions {
  /**
   * Milliseconds between looks at the container's health (default 250). The daemon only updates
   * it when a check runs, so this mostly bounds how late a change is noticed.
   */
  interval?: number;
}

/** States after which a container will not become healthy by itself. */
const STOPPED = new Set(["exited", "dead", "removing"]);
const DEFAULT_INTERVAL = 250;

/** What the wait reads off the container's inspect answer. */
const INSPECT_FIELDS: AnswerFields = {
  "State.Status": "string",
  "State.ExitCode": "number",
  "State.Health.Status": "string",
  "State.Health.FailingStreak": "number",
  "State.Health.Log[]": "object",
  "State.Health.Log[].Output": "string",
  "State.Health.Log[].ExitCode": "number",
  "Config.Healthcheck.Test": "string[]",
};

/**
 * Waits until the container's health check passes; see `Containers.waitHealthy`. Polls inspect:
 * health changes are not events every engine filters reliably, and a poll also notices the
 * container stopping or being removed.
 */
export async function waitHealthy(containers: ContainerOperations, id: string, options: WaitHealthyOptions = {}): Promise<ContainerInspect> {
  const deadline = new Deadline(`waiting for container ${id} to become healthy`, options.signal, options.timeout);
  let last: ContainerInspect | undefined;
  try {
    for (;;) {
      const info = await containers.inspect(id, undefined, { signal: deadline.signal });
      checkFields(info, INSPECT_FIELDS);
      last = info;
      const health = info.State?.Health;
      const status = health?.Status;
      if (status === "healthy") return info;
      if (status === "unhealthy") {
        const log = (health?.Log ?? []).filter((entry): entry is HealthCheckResult => entry !== null);
        throw new ContainerUnhealthyError(`Container ${id} is unhealthy${lastCheck(log)}`, {
          containerId: id,
          failingStreak: health?.FailingStreak ?? 0,
          log,
        });
      }
      const state = info.State?.Status ?? "";
      if (STOPPED.has(state)) {
        const exitCode = info.State?.ExitCode;
        throw new ContainerExitedError(`Container ${id} stopped (exit code ${exitCode ?? "unknown"}) before it became healthy`, {
          containerId: id,
          exitCode,
        });
      }
      if ((status === undefined || status === "none") && !hasHealthCheck(info)) {
        throw new DockerArgumentError(`Container ${id} has no health check to wait for (see HEALTHCHECK or Healthcheck in create)`);
      }
      await deadline.sleep(options.interval ?? DEFAULT_INTERVAL);
    }
  } catch (err) {
    const health = last?.State?.Health;
    const log = (health?.Log ?? []).filter((entry): entry is HealthCheckResult => entry !== null);
    throw deadline.explain(err, `health: ${health?.Status ?? "unknown"}${lastCheck(log)}`);
  } finally {
    deadline.release();
  }
}

/** Whether the container (or its image) defines a check that is not switched off. */
function hasHealthCheck(info: ContainerInspect): boolean {
  const test = info.Config?.Healthcheck?.Test;
  return test !== undefined && test.length > 0 && test[0] !== "NONE";
}

/** `; last check: exit 1: <output>` for messages, from the newest check run. */
function lastCheck(log: readonly HealthCheckResult[]): string {
  const latest = log.at(-1);
  if (!latest) return "";
  const output = (latest.Output ?? "").trim().slice(0, 500);
  return `; last check: exit ${latest.ExitCode ?? "?"}${output ? `: ${output}` : ""}`;
}
