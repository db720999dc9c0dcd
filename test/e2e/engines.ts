// Which engine DOCKER_HOST is, and the one reviewed list of where podman's Docker-compatible API
// (Debian's 4.3, as scripts/podman.sh provisions it) knowingly answers differently from dockerd.
// On podman a test may skip or change an expectation only by naming an entry here, so anything
// else that fails on podman is a failure; an entry podman stops needing shows up as a test that
// fails the other way (e.g. a 409 where 500 is expected) and should then be removed.
import { describe } from "vitest";
import { engineHost, engineRequest } from "./engine.js";

/** The kinds of engine the e2e suite knows; podman answers /version with a "Podman Engine" component. */
export type EngineKind = "docker" | "podman";

/** Each podman divergence and what podman does instead (seen on podman 4.3.1). */
export const PODMAN_DIVERGENCES = {
  swarm: "no swarm: /swarm, /nodes, /services, /tasks, /secrets, /configs answer 404",
  plugins: "no managed plugins: /plugins/* answer 404",
  distribution: "no /distribution/{name}/json (404)",
  session: "no /session endpoint (404), so no BuildKit builds through a session (classic builds work)",
  websocketAttach: "no /containers/{id}/attach/ws (404)",
  healthchecks:
    "health checks run from systemd timers; with no systemd (CI, containers) they never run and Health stays \"starting\"",
  conflictIs500: "removing a running container answers 500 where dockerd answers 409",
  pingOsType: "/_ping sends no OSType header",
  qualifiedNames:
    "image names are fully qualified: RepoTags and load's message say docker.io/library/busybox:local for busybox:local",
  importTag: "images/create?fromSrc=- ignores repo and tag: the imported image has no name",
  buildOutput:
    "classic build output says `STEP 1/2: RUN …` (dockerd: `Step 1/2 : RUN …`), and a failing step `building at STEP …: exit status 1` (dockerd: `returned a non-zero code: 1`)",
  eventsRemove: "removing a container emits `remove` (dockerd: `destroy`)",
  statsId: "stats samples carry no `id` or `name`",
  pullErrorsInStream:
    "a pull that cannot find, reach or authenticate to the image answers 200 and reports the failure inside the progress stream (dockerd: 404/401/500)",
  authOverHttps:
    "/auth always logs in over HTTPS, even to a registry registries.conf marks insecure (pull and push honour it)",
  anonymousPush: "an anonymous push is refused with the registry's `unauthorized: authentication required` (dockerd: `no basic auth credentials`)",
  pushAux:
    "a push ends with a status line `latest: digest: sha256:…` (whatever the tag) and no aux {Tag, Digest} message",
  logTimestamps: "log timestamps have whole seconds (RFC 3339 without the fraction)",
  archiveStatFollowsLinks: "the archive stat header of a symlink carries its target's name (hostname for a link to /etc/hostname)",
  archiveOwners: "GET /containers/{id}/archive records every entry's owner as 0:0, whatever the container's files have",
  logsFollowHead: "a followed logs request of a silent container gets no answer head until the first log line (dockerd answers at once)",
  attachCloseEndsStdin: "dropping an attach connection closes the container's stdin even without StdinOnce (a `cat` exits)",
  archivePutCreatesDir: "PUT /containers/{id}/archive into a missing directory creates it and extracts there (dockerd: 404)",
  execStartErrors:
    "an exec whose command cannot start (no such command, missing working directory) ends with exit code 127 and the runtime's error as its output (dockerd: an error in the stream)",
  execUnknownUser: "an exec as an unknown user is refused at start with a 500 (dockerd: in the stream, or 400 at create)",
  execRestart:
    "starting an exec a second time answers 500 `can only start created exec sessions` (dockerd: `already run`, in the stream or as a 409)",
  execStdinUnread:
    "an exec that exits without reading all its input gets podman's own `Error: write unixpacket …` (or `read unixpacket …`, as the timing falls) `: connection reset by peer` appended to its stderr",
  cliCommit:
    "the Docker CLI's `docker commit` fails against podman (Decode(): EOF), and the filters suite sets up and checks through the CLI",
} as const;

/** One entry of {@link PODMAN_DIVERGENCES}. */
export type Divergence = keyof typeof PODMAN_DIVERGENCES;

async function detect(): Promise<EngineKind | undefined> {
  if (engineHost() === undefined) return undefined;
  const res = await engineRequest("/version");
  if (res.status !== 200) throw new Error(`GET /version answered ${res.status}: ${res.body}`);
  const version = JSON.parse(res.body) as { Components?: { Name?: string }[] };
  return version.Components?.some((c) => /podman/i.test(c.Name ?? "")) ? "podman" : "docker";
}

/**
 * The engine under test, or undefined without DOCKER_HOST. `DOCKHAND_ENGINE` (docker|podman), when
 * set (CI sets it), must agree, so a detection gone wrong cannot quietly switch expectations.
 */
export const engineKind: EngineKind | undefined = await detect();
const expected = process.env["DOCKHAND_ENGINE"]?.trim();
if (expected && engineKind !== undefined && expected !== engineKind) {
  throw new Error(`DOCKHAND_ENGINE is ${expected} but the engine at DOCKER_HOST is ${engineKind}`);
}

/** True when the engine under test is one that has `divergence` (podman, for every entry). */
export function diverges(divergence: Divergence): boolean {
  return engineKind === "podman" && divergence in PODMAN_DIVERGENCES;
}

/** A test title suffix saying why it is skipped here, e.g. `it.skipIf(diverges(d))(`x${why(d)}`)`. */
export function why(divergence: Divergence): string {
  return diverges(divergence) ? ` (skipped on podman: ${PODMAN_DIVERGENCES[divergence]})` : "";
}

/** How the engine names a local image tagged `name` (a short name such as busybox:local) in RepoTags and messages. */
export function taggedAs(name: string): string {
  return diverges("qualifiedNames") ? `docker.io/library/${name}` : name;
}

/** `describeEngine`, also skipped on an engine with `divergence`; put {@link why} in the title. */
export function describeEngineUnless(divergence: Divergence): ReturnType<typeof describe.skipIf> {
  return describe.skipIf(engineHost() === undefined || diverges(divergence));
}
