import { median, pairedRatio, round, spread } from "./stats.mjs";

/**
 * Runs `measure(client, round)` for every client in every round. `measure` returns a number, or
 * `{ value, cpu }` to also record the client's rate per CPU second (kept in `cpu`). The order of clients rotates
 * each round, so none always runs first (cold page cache) or last (after the others heated the CPU).
 * A client that fails is reported once and left out of later rounds.
 */
export async function runRounds(clients, rounds, measure, log) {
  const values = Object.fromEntries(clients.map((c) => [c, []]));
  const cpu = Object.fromEntries(clients.map((c) => [c, []]));
  const errors = {};
  for (let r = 0; r < rounds; r++) {
    const order = clients.map((_, i) => clients[(i + r) % clients.length]);
    for (const client of order) {
      if (errors[client]) continue;
      try {
        const result = await measure(client, r);
        if (typeof result === "number") values[client][r] = result;
        else [values[client][r], cpu[client][r]] = [result.value, result.cpu];
      } catch (err) {
        errors[client] = err.message;
        log(`  ${client} failed: ${err.message.split("\n")[0]}`);
      }
    }
  }
  return { values, cpu, errors };
}

/** Summary of one client's per-round values: the median, the spread, and the raw values. */
export function summarize(values, digits = 3) {
  return { median: round(median(values), digits), spread: round(spread(values), 2), rounds: values.map((v) => round(v, digits)) };
}

/**
 * A ratio checked against a goal. `better` tells which way is good: "higher" (throughput) or
 * "lower" (time, size). In quick mode nothing is judged (`met: null`).
 */
export function goal({ label, a, b, target, better = "higher", judged = true }) {
  const value = pairedRatio(a ?? [], b ?? []);
  const ok = better === "higher" ? value >= target : value <= target;
  return {
    label,
    value: round(value),
    goal: `${better === "higher" ? "≥" : "≤"} ${target}×`,
    met: judged && Number.isFinite(value) ? ok : null,
  };
}

/** A ratio shown for context only (no goal attached). */
export function context({ label, a, b }) {
  return { label, value: round(pairedRatio(a ?? [], b ?? [])), goal: null, met: null };
}

/** A figure's clients, with the baseline build right after dockhand when `run.mjs --baseline` is on. */
export function withBaseline(clients, baseline) {
  return baseline ? clients.flatMap((c) => (c === "dockhand" ? [c, "dockhand-baseline"] : [c])) : clients;
}

/**
 * Ratios of the current tree against the baseline build measured in the same rounds (none
 * without `--baseline`): what an A/B of a change reads. `cpu` adds the per-CPU-second reading.
 */
export function baselineRatios(baseline, label, values, cpu) {
  if (!baseline) return [];
  const name = `dockhand / dockhand at ${baseline}, ${label}`;
  return [
    context({ label: name, a: values.dockhand, b: values["dockhand-baseline"] }),
    ...(cpu ? [context({ label: `${name}, per CPU second`, a: cpu.dockhand, b: cpu["dockhand-baseline"] })] : []),
  ];
}
