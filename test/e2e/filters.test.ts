// Typed filters against a real engine: for each filter, dockhand's answer must equal what the
// Docker CLI's `--filter` returns for the same filter, and what the fixtures say it should be.
// Every query is also scoped by this run's label, so other tests using the engine do not count.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Docker } from "../../src/docker.js";
import { UnsupportedApiVersionError } from "../../src/core/errors.js";
import type { FilteredOperationId, Filters } from "../../src/core/filters.js";
import { compareVersions } from "../../src/core/version.js";
import { TEST_IMAGE, engineHost } from "./engine.js";
import { describeEngineUnless, why } from "./engines.js";

const run = randomBytes(4).toString("hex");
const RUN_KEY = "dockhand.filters";
const RUN = `${RUN_KEY}=${run}`;
const prefix = `dockhand-filters-${run}`;

/** The Docker CLI on PATH, pointed at the engine under test; one line per output row. */
async function cli(...args: string[]): Promise<string[]> {
  const { stdout } = await promisify(execFile)("docker", args, {
    env: { ...process.env, DOCKER_HOST: engineHost() },
    timeout: 60_000,
  });
  return stdout.split("\n").filter((line) => line !== "");
}

/** The first output line of a CLI command that prints an id. */
async function id(lines: Promise<string[]>): Promise<string> {
  const [line] = await lines;
  if (!line) throw new Error("the Docker CLI printed no id");
  return line;
}

/** `--filter` flags for the CLI. */
const flags = (...filters: string[]) => filters.flatMap((filter) => ["--filter", filter]);
const sorted = (values: Iterable<string | undefined>) => [...values].map(String).sort();
/** The CLI filters plus this run's label. */
const scoped = (...filters: string[]) => [...filters, `label=${RUN}`];

/** One filter, as dockhand takes it and as CLI flags, and the objects it must select. */
interface Case<I extends FilteredOperationId> {
  filters: Filters<I>;
  cli: string[];
  expected: string[];
  /** `false`: the answer must include `expected` but may hold more of this run's objects. */
  exact?: false;
}

/**
 * Asks dockhand and the CLI at the same moment for each case: both answers must be equal, and
 * match what the fixtures say.
 */
async function agree<I extends FilteredOperationId>(
  cases: readonly Case<I>[],
  ours: (filters: Filters<I>) => Promise<(string | undefined)[]>,
  theirs: (flags: string[]) => Promise<string[]>,
): Promise<void> {
  for (const { filters, cli: filter, expected, exact } of cases) {
    const [mine, cliRows] = await Promise.all([ours(filters), theirs(flags(...filter))]);
    const label = JSON.stringify(filters);
    expect(sorted(mine), label).toEqual(sorted(cliRows));
    if (exact === false) expect(cliRows, label).toEqual(expect.arrayContaining(expected));
    else expect(sorted(cliRows), label).toEqual(sorted(expected));
  }
}

describeEngineUnless("cliCommit")(`typed filters against the engine, checked with the Docker CLI${why("cliCommit")}`, () => {
  let docker: Docker;
  let apiVersion: string;
  const ids = { web: "", db: "", idle: "" };
  const images = { tagged: "", dangling: "" };
  const networks = { front: "", back: "" };
  const volumes = { used: `${prefix}-used`, spare: `${prefix}-spare` };
  let since = 0;
  let until = 0;

  beforeAll(async () => {
    docker = new Docker({ host: engineHost() });
    apiVersion = await docker.apiVersion();
    since = Date.now() / 1000 - 1;
    await cli("volume", "create", "--label", RUN, volumes.used);
    await cli("volume", "create", "--label", RUN, "--label", "tier=spare", volumes.spare);
    networks.front = await id(cli("network", "create", "--label", RUN, "--label", "tier=front", `${prefix}-front`));
    networks.back = await id(cli("network", "create", "--label", RUN, `${prefix}-back`));
    const create = (name: string, role: string, ...rest: string[]) =>
      id(cli("create", "--label", RUN, "--label", `role=${role}`, "--name", `${prefix}-${name}`, ...rest));
    ids.web = await create("web", "web", "--network", `${prefix}-front`, TEST_IMAGE, "sleep", "300");
    ids.db = await create("db", "db", "-v", `${volumes.used}:/data`, TEST_IMAGE, "sh", "-c", "exit 3");
    ids.idle = await create("idle", "idle", TEST_IMAGE, "true");
    await cli("start", ids.web);
    await cli("start", ids.db);
    await cli("wait", ids.db);
    // Two commits under one tag: the first loses it and becomes dangling.
    const commit = () => id(cli("commit", "--change", `LABEL ${RUN}`, ids.idle, `${prefix}:latest`));
    images.dangling = await commit();
    images.tagged = await commit();
    until = Date.now() / 1000 + 1;
  });

  afterAll(async () => {
    const rm = (...args: string[]) => cli(...args).catch(() => []);
    await rm("rm", "-f", ids.web, ids.db, ids.idle);
    await rm("rmi", "-f", images.tagged, images.dangling);
    await rm("network", "rm", `${prefix}-front`, `${prefix}-back`);
    await rm("volume", "rm", "-f", volumes.used, volumes.spare);
    await docker?.close();
  });

  it("containers: status, label, name, ancestor, exited, health, network, volume", async () => {
    const all = [ids.web, ids.db, ids.idle];
    const cases: Case<"ContainerList">[] = [
      { filters: { status: ["running"], label: [RUN] }, cli: scoped("status=running"), expected: [ids.web] },
      {
        filters: { status: { exited: true, created: true }, label: [RUN] },
        cli: scoped("status=exited", "status=created"),
        expected: [ids.db, ids.idle],
      },
      { filters: { label: { [RUN_KEY]: run, role: "web" } }, cli: scoped("label=role=web"), expected: [ids.web] },
      { filters: { label: { [RUN_KEY]: run, role: true } }, cli: scoped("label=role"), expected: all },
      { filters: { name: [`${prefix}-(web|db)`] }, cli: [`name=${prefix}-(web|db)`], expected: [ids.web, ids.db] },
      { filters: { ancestor: [TEST_IMAGE], label: [RUN] }, cli: scoped(`ancestor=${TEST_IMAGE}`), expected: all },
      { filters: { exited: ["3"], label: [RUN] }, cli: scoped("exited=3"), expected: [ids.db] },
      {
        filters: { health: ["none"], "is-task": false, label: [RUN] },
        cli: scoped("health=none", "is-task=false"),
        expected: all,
      },
      { filters: { network: [`${prefix}-front`], label: [RUN] }, cli: scoped(`network=${prefix}-front`), expected: [ids.web] },
      { filters: { volume: [volumes.used] }, cli: [`volume=${volumes.used}`], expected: [ids.db] },
    ];
    await agree(
      cases,
      async (filters) => (await docker.containers.list({ all: true, filters })).map((c) => c.Id),
      (filter) => cli("ps", "-a", "--no-trunc", "--format", "{{.ID}}", ...filter),
    );
  });

  it("images: dangling, reference, label", async () => {
    const cases: Case<"ImageList">[] = [
      { filters: { dangling: true, label: [RUN] }, cli: scoped("dangling=true"), expected: [images.dangling] },
      { filters: { dangling: ["false"], label: { [RUN_KEY]: run } }, cli: scoped("dangling=false"), expected: [images.tagged] },
      { filters: { reference: [`${prefix}:*`] }, cli: [`reference=${prefix}:*`], expected: [images.tagged] },
      { filters: { reference: [prefix] }, cli: [`reference=${prefix}`], expected: [images.tagged] },
      { filters: { label: [RUN] }, cli: scoped(), expected: [images.tagged, images.dangling] },
    ];
    await agree(
      cases,
      async (filters) => (await docker.images.list({ filters })).map((image) => image.Id),
      (filter) => cli("images", "--no-trunc", "--format", "{{.ID}}", ...filter),
    );
  });

  it("images: `until` is refused before sending to a daemon without it, honoured by one with it", async () => {
    // Daemons gained the key without an API version bump (1.44's CHANGELOG): older ones answer 400.
    const [engine = ""] = await cli("version", "--format", "{{.Server.Version}}");
    const query = docker.images.list({ filters: { until: [String(Math.ceil(until) + 60)], label: [RUN] } });
    if (Number(engine.split(".")[0]) < 25) {
      await expect(query).rejects.toThrow(UnsupportedApiVersionError);
      await expect(query).rejects.toThrow(/until.*1\.44/);
    } else {
      expect(sorted((await query).map((image) => image.Id))).toEqual(sorted([images.tagged, images.dangling]));
    }
  });

  it("networks: label, name, driver, type, scope, dangling", async () => {
    const both = [networks.front, networks.back];
    const cases: Case<"NetworkList">[] = [
      { filters: { label: [RUN] }, cli: scoped(), expected: both },
      { filters: { label: { [RUN_KEY]: run, tier: "front" } }, cli: scoped("label=tier=front"), expected: [networks.front] },
      { filters: { name: [`${prefix}-back`] }, cli: [`name=${prefix}-back`], expected: [networks.back] },
      {
        filters: { driver: ["bridge"], type: ["custom"], scope: ["local"], label: [RUN] },
        cli: scoped("driver=bridge", "type=custom", "scope=local"),
        expected: both,
      },
      { filters: { type: ["builtin"], label: [RUN] }, cli: scoped("type=builtin"), expected: [] },
      // Daemons 20.10 and 28 judge "in use" from a list that leaves containers out, so a network
      // with a running container may count as dangling too; the unused one always does.
      { filters: { dangling: true, label: [RUN] }, cli: scoped("dangling=true"), expected: [networks.back], exact: false },
    ];
    await agree(
      cases,
      async (filters) => (await docker.networks.list({ filters })).map((network) => network.Id),
      (filter) => cli("network", "ls", "--no-trunc", "--format", "{{.ID}}", ...filter),
    );
  });

  it("volumes: label, name, driver, dangling", async () => {
    const both = [volumes.used, volumes.spare];
    const cases: Case<"VolumeList">[] = [
      { filters: { label: [RUN] }, cli: scoped(), expected: both },
      { filters: { label: { [RUN_KEY]: run, tier: "spare" } }, cli: scoped("label=tier=spare"), expected: [volumes.spare] },
      { filters: { name: [`${prefix}-used`] }, cli: [`name=${prefix}-used`], expected: [volumes.used] },
      { filters: { driver: ["local"], label: [RUN] }, cli: scoped("driver=local"), expected: both },
      { filters: { dangling: true, label: [RUN] }, cli: scoped("dangling=true"), expected: [volumes.spare] },
    ];
    await agree(
      cases,
      async (filters) => ((await docker.volumes.list({ filters })).Volumes ?? []).map((volume) => volume.Name),
      (filter) => cli("volume", "ls", "--format", "{{.Name}}", ...filter),
    );
  });

  it("events: type, event, label, container, network", async () => {
    const window = { since: since.toFixed(3), until: until.toFixed(3) };
    const cases: Case<"SystemEvents">[] = [
      {
        filters: { type: ["container"], event: ["start"], label: [RUN] },
        cli: scoped("type=container", "event=start"),
        expected: [`start ${ids.web}`, `start ${ids.db}`],
      },
      {
        filters: { container: [`${prefix}-db`], event: { die: true, start: true } },
        cli: [`container=${prefix}-db`, "event=die", "event=start"],
        expected: [`start ${ids.db}`, `die ${ids.db}`],
      },
      {
        filters: { type: ["network"], event: ["connect"], network: [networks.front] },
        cli: ["type=network", "event=connect", `network=${networks.front}`],
        expected: [`connect ${networks.front}`],
      },
    ];
    await agree(
      cases,
      async (filters) => {
        const seen: string[] = [];
        // Bounded by `until`, the stream ends by itself.
        for await (const event of await docker.system.events({ ...window, filters })) {
          seen.push(`${event.Action} ${event.Actor?.ID}`);
        }
        return seen;
      },
      (filter) =>
        cli("events", "--since", window.since, "--until", window.until, "--format", "{{.Action}} {{.Actor.ID}}", ...filter),
    );
  });

  it("prune: label-scoped, and a key the version in use lacks is refused before sending", async () => {
    const prune = docker.volumes.prune({ filters: { label: { [RUN_KEY]: run, tier: "spare" }, all: true } });
    if (compareVersions(apiVersion, "1.42") < 0) {
      await expect(prune).rejects.toThrow(UnsupportedApiVersionError);
      await expect(prune).rejects.toMatchObject({ requiredVersion: "1.42", actualVersion: apiVersion });
      expect(await cli("volume", "ls", "-q", ...flags(`label=${RUN}`))).toContain(volumes.spare);
    } else {
      expect((await prune).VolumesDeleted).toEqual([volumes.spare]);
      expect(sorted(await cli("volume", "ls", "-q", ...flags(`label=${RUN}`)))).toEqual([volumes.used]);
    }
  });
});
