import { MockContainer, type ContainerHost } from "./container.js";
import { EventBus } from "./events.js";
import type { MockImage } from "./image.js";
import type { MockExec } from "./exec.js";
import { randomHex, randomName, shortId } from "./ids.js";
import { familiar, parseRef } from "./refs.js";
import { DaemonError, noSuchContainer, noSuchImage } from "./reply.js";
import { SIGKILL } from "./signals.js";
import { dateNs, nowNs, type Nanos } from "./time.js";
import { asList, type ContainerCreateBody, type EndpointSettings, type HostConfig, type MountPoint } from "./wire.js";

/** How to describe an image when seeding the store (all optional). */
export interface ImageSeed {
  /** References to tag it with, e.g. `["busybox:latest"]` (normalised like the daemon does). */
  tags?: string[];
  /** Full ID (`sha256:...`); random when omitted. */
  id?: string;
  /** Registry digest (`sha256:...`); random when omitted. */
  digest?: string;
  /** Default command (`Cmd`). */
  cmd?: string[] | null;
  /** Default entrypoint. */
  entrypoint?: string[] | null;
  /** Default environment, `NAME=value`. */
  env?: string[];
  /** Default working directory. */
  workingDir?: string;
  /** Default user. */
  user?: string;
  /** Labels of the image. */
  labels?: Record<string, string>;
  /** Size in bytes to report. */
  size?: number;
  /** Creation time to report (default: now). */
  created?: Date;
  /** How many layers pull progress shows (default 1). */
  layers?: number;
}

/** A network in the mock's store. */
export interface MockNetwork {
  /** Network id (64 hex digits). */
  id: string;
  /** Network name. */
  name: string;
  /** Driver name, e.g. `bridge`. */
  driver: string;
  /** When it was created, in nanoseconds since the epoch. */
  created: Nanos;
  /** No outside connectivity. */
  internal: boolean;
  /** Standalone containers may join (swarm networks). */
  attachable: boolean;
  /** IPv6 is enabled. */
  enableIPv6: boolean;
  /** Subnet as `a.b.c.d/n`, with gateway `.1`; containers get `.2`, `.3`, ... Empty for host and none. */
  subnet: string;
  /** Driver options. */
  options: Record<string, string>;
  /** Labels of the network. */
  labels: Record<string, string>;
  /** `bridge`, `host` and `none` come with the daemon and cannot be removed. */
  builtin: boolean;
}

/** What `POST /networks/create` and {@link MockState.addNetwork} take. */
export interface NetworkSpec {
  /** Network name. */
  Name: string;
  /** Driver (default `bridge`). */
  Driver?: string;
  /** No outside connectivity. */
  Internal?: boolean;
  /** Standalone containers may join. */
  Attachable?: boolean;
  /** Enable IPv6. */
  EnableIPv6?: boolean;
  /** Driver options. */
  Options?: Record<string, string> | null;
  /** Labels of the network. */
  Labels?: Record<string, string> | null;
  /** Address management; only the first `Subnet` is used. */
  IPAM?: { Config?: Array<{ Subnet?: string }> | null } | null;
}

/** A volume in the mock's store. */
export interface MockVolume {
  /** Volume name. */
  name: string;
  /** Driver name, e.g. `local`. */
  driver: string;
  /** When it was created, in nanoseconds since the epoch. */
  created: Nanos;
  /** Labels of the volume. */
  labels: Record<string, string>;
  /** Driver options. */
  options: Record<string, string>;
  /** Created without a name (for a container); `volumes prune` only takes these by default. */
  anonymous: boolean;
}

/** What `POST /volumes/create` and {@link MockState.addVolume} take. */
export interface VolumeSpec {
  /** Volume name (random when omitted, which makes it anonymous). */
  Name?: string;
  /** Driver (default `local`). */
  Driver?: string;
  /** Driver options. */
  DriverOpts?: Record<string, string> | null;
  /** Labels of the volume. */
  Labels?: Record<string, string> | null;
}

/** Options of {@link MockState.addContainer}. */
export interface ContainerSeedOptions {
  /** Container name (random when omitted). */
  name?: string;
  /** Start the container right away (its command runs as usual). */
  start?: boolean;
}

const DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const NAME_PATTERN = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
/** Marks volumes the daemon created without a name. */
const ANONYMOUS_LABEL = "com.docker.volume.anonymous";

/**
 * Everything the mock daemon knows: images, a pretend registry to pull from, containers, execs,
 * networks, volumes and the event log. Tests seed it directly and inspect it after calls.
 */
export class MockState implements ContainerHost {
  /** Events the daemon emits, as `/events` streams them. */
  readonly events = new EventBus();
  /** Local images by id. */
  readonly images = new Map<string, MockImage>();
  /** Containers by id. */
  readonly containers = new Map<string, MockContainer>();
  /** Exec instances by id. */
  readonly execs = new Map<string, MockExec>();
  /** Networks by id. */
  readonly networks = new Map<string, MockNetwork>();
  /** Volumes by name. */
  readonly volumes = new Map<string, MockVolume>();
  /** What `POST /images/create` can pull, by familiar reference; starts with `busybox:latest` and `alpine:latest`. */
  readonly registry = new Map<string, ImageSeed & { id: string; digest: string }>();
  #nextSubnet = 18;

  constructor() {
    for (const [name, driver] of [["bridge", "bridge"], ["host", "host"], ["none", "null"]] as const) {
      this.#createNetwork({ Name: name, Driver: driver }, true);
    }
    this.addRemoteImage("busybox:latest", { cmd: ["sh"], size: 4_261_574 });
    this.addRemoteImage("alpine:latest", { cmd: ["/bin/sh"], size: 8_834_362, env: [DEFAULT_PATH] });
  }

  // ---- images --------------------------------------------------------------------------------

  /**
   * Puts an image in the local store without any event (seeding). Tags move from other images.
   * Tagged like an image of the mock registry (and no `id` given), it is that image, so a later
   * pull finds it up to date.
   */
  addImage(seed: ImageSeed = {}): MockImage {
    if (seed.id === undefined) {
      const remote = (seed.tags ?? []).map((tag) => this.registry.get(this.#ref(tag))).find(Boolean);
      if (remote) seed = { ...remote, ...seed, id: remote.id };
    }
    const layers = Array.from({ length: seed.layers ?? 1 }, () => `sha256:${randomHex()}`);
    const image: MockImage = {
      id: seed.id ?? `sha256:${randomHex()}`,
      repoTags: [],
      repoDigests: [],
      created: seed.created ? dateNs(seed.created) : nowNs(),
      size: seed.size ?? 1_000_000,
      labels: seed.labels ?? {},
      config: {
        Cmd: seed.cmd === undefined ? ["sh"] : seed.cmd,
        Entrypoint: seed.entrypoint ?? null,
        Env: seed.env ?? [DEFAULT_PATH],
        WorkingDir: seed.workingDir ?? "",
        User: seed.user ?? "",
      },
      layers,
    };
    this.images.set(image.id, image);
    for (const tag of seed.tags ?? []) this.#retag(image, this.#ref(tag));
    if (seed.digest) {
      for (const tag of image.repoTags) image.repoDigests.push(`${tag.slice(0, tag.lastIndexOf(":"))}@${seed.digest}`);
    }
    return image;
  }

  /** Makes `ref` pullable. Pulling it twice gives the same image ID, as a real registry would. */
  addRemoteImage(ref: string, seed: Omit<ImageSeed, "tags"> = {}): void {
    this.registry.set(this.#ref(ref), { ...seed, id: seed.id ?? `sha256:${randomHex()}`, digest: seed.digest ?? `sha256:${randomHex()}` });
  }

  /**
   * Pulls `ref` from the pretend registry into the local store. Returns undefined when the registry
   * has no such image, and whether the local copy was already current.
   */
  pull(ref: string): { image: MockImage; upToDate: boolean; digest: string } | undefined {
    const name = this.#ref(ref);
    const remote = this.registry.get(name);
    if (!remote) return undefined;
    const local = this.images.get(remote.id);
    const upToDate = local?.repoTags.includes(name) ?? false;
    const image = local ?? this.addImage({ ...remote, tags: [] });

    this.#retag(image, name);
    const digestRef = `${name.slice(0, name.lastIndexOf(":"))}@${remote.digest}`;
    if (!image.repoDigests.includes(digestRef)) image.repoDigests.push(digestRef);
    this.events.emit("image", "pull", name, { name: name.slice(0, name.lastIndexOf(":")) });
    return { image, upToDate, digest: remote.digest };
  }

  /**
   * Stores the image one build step committed on top of `parent` (none after `FROM scratch`):
   * the parent's layers plus one of `layerSize` bytes when the step wrote files (`RUN`, `COPY`,
   * `ADD`). No event: the daemon reports a build's images only when it tags them.
   */
  commitImage(
    parent: MockImage | undefined,
    step: { config: MockImage["config"]; labels: Record<string, string>; createdBy: string; layerSize?: number },
  ): MockImage {
    const layers = [...(parent?.layers ?? [])];
    if (step.layerSize !== undefined) layers.push(`sha256:${randomHex()}`);
    const image: MockImage = {
      id: `sha256:${randomHex()}`,
      repoTags: [],
      repoDigests: [],
      created: nowNs(),
      size: (parent?.size ?? 0) + (step.layerSize ?? 0),
      labels: { ...step.labels },
      config: structuredClone(step.config),
      layers,
      ...(parent ? { parent: parent.id } : {}),
      createdBy: step.createdBy,
    };
    this.images.set(image.id, image);
    return image;
  }

  /** Images built directly on `image` (a build's next steps). */
  childrenOf(image: MockImage): MockImage[] {
    return [...this.images.values()].filter((other) => other.parent === image.id);
  }

  /** Finds an image by tag, digest reference, full ID or unique ID prefix. */
  findImage(ref: string): MockImage | undefined {
    const byId = this.images.get(ref) ?? this.images.get(`sha256:${ref}`);
    if (byId) return byId;
    const parsed = parseRef(ref);
    if (parsed) {
      const name = familiar(parsed);
      for (const image of this.images.values()) {
        if (image.repoTags.includes(name) || image.repoDigests.includes(name)) return image;
      }
    }
    const hex = ref.replace(/^sha256:/, "");
    if (!/^[a-f0-9]{1,64}$/.test(hex)) return undefined;
    const matches = [...this.images.values()].filter((image) => image.id.startsWith(`sha256:${hex}`));
    return matches.length === 1 ? matches[0] : undefined;
  }

  /** Like {@link findImage}, but a miss is the daemon's 404 (`No such image: busybox:latest`). */
  image(ref: string): MockImage {
    const image = this.findImage(ref);
    if (image) return image;
    const parsed = parseRef(ref);
    throw noSuchImage(parsed ? familiar(parsed) : ref);
  }

  /** Adds the tag `ref` to `image` (taking it from any other image) and records a `tag` event. */
  tagImage(image: MockImage, ref: string): void {
    const name = this.#ref(ref);
    this.#retag(image, name);
    this.events.emit("image", "tag", image.id, { ...image.labels, name });
  }

  /** Removes one tag; deletes the image when it was the last one. Returns what the daemon reports. */
  untagImage(image: MockImage, tag: string): Array<{ Untagged: string } | { Deleted: string }> {
    image.repoTags = image.repoTags.filter((t) => t !== tag);
    const repository = tag.slice(0, tag.lastIndexOf(":"));
    image.repoDigests = image.repoDigests.filter((d) => !d.startsWith(`${repository}@`) || image.repoTags.some((t) => t.startsWith(`${repository}:`)));
    this.events.emit("image", "untag", image.id, { name: tag });
    const report: Array<{ Untagged: string } | { Deleted: string }> = [{ Untagged: tag }];
    if (image.repoTags.length === 0) report.push(...this.deleteImage(image));
    return report;
  }

  /** Deletes an image with all its tags. */
  deleteImage(image: MockImage): Array<{ Untagged: string } | { Deleted: string }> {
    const report: Array<{ Untagged: string } | { Deleted: string }> = [];
    for (const tag of image.repoTags) {
      report.push({ Untagged: tag });
      this.events.emit("image", "untag", image.id, { name: tag });
    }
    for (const digest of image.repoDigests) report.push({ Untagged: digest });
    this.images.delete(image.id);
    const parent = image.parent === undefined ? undefined : this.images.get(image.parent);
    const own = image.layers.filter((layer) => !parent?.layers.includes(layer));
    report.push({ Deleted: image.id }, ...own.map((layer) => ({ Deleted: layer })));
    this.events.emit("image", "delete", image.id, { name: image.id });
    // As `docker rmi` does (without --no-prune): an untagged parent left without children goes too.
    if (parent && parent.repoTags.length === 0 && this.childrenOf(parent).length === 0 && this.containersUsing(parent).length === 0) {
      report.push(...this.deleteImage(parent));
    }
    return report;
  }

  /** Containers (any state) created from `image`. */
  containersUsing(image: MockImage): MockContainer[] {
    return [...this.containers.values()].filter((container) => container.image === image);
  }

  // ---- containers ----------------------------------------------------------------------------

  /**
   * Creates a container as `POST /containers/create` does: validates the name and image, applies
   * image defaults, creates named and anonymous volumes, connects networks, records `create`.
   */
  createContainer(body: ContainerCreateBody, name?: string): MockContainer {
    if (name !== undefined && name !== "" && !NAME_PATTERN.test(name)) {
      throw new DaemonError(400, `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    }
    const fullName = `/${(name || this.#freeName()).replace(/^\//, "")}`;
    const holder = [...this.containers.values()].find((container) => container.name === fullName);
    if (holder) throw nameConflict(fullName, holder.id);
    if (!body.Image) throw new DaemonError(400, "No image specified");
    const image = this.image(body.Image);
    const entrypoint = body.Entrypoint === undefined || body.Entrypoint === null ? image.config.Entrypoint : asList(body.Entrypoint);
    // An entrypoint given at create time drops the image's default arguments, as the daemon does.
    const cmd = body.Cmd === undefined || body.Cmd === null ? (body.Entrypoint ? null : image.config.Cmd) : asList(body.Cmd);
    if ((entrypoint?.length ?? 0) + (cmd?.length ?? 0) === 0) throw new DaemonError(400, "No command specified");
    const hostConfig: HostConfig = { NetworkMode: "bridge", ...(body.HostConfig ?? {}) };
    const networkMode = hostConfig.NetworkMode || "bridge";
    const network = networkMode.startsWith("container:") ? undefined : this.network(networkMode === "default" ? "bridge" : networkMode);
    const { HostConfig: _host, NetworkingConfig: networking, ...rest } = body;
    const id = randomHex();
    const container = new MockContainer(
      {
        id,
        name: fullName,
        image,
        hostConfig,
        config: {
          Hostname: shortId(id),
          Domainname: "",
          User: image.config.User,
          AttachStdin: false,
          AttachStdout: false,
          AttachStderr: false,
          Tty: false,
          OpenStdin: false,
          StdinOnce: false,
          WorkingDir: image.config.WorkingDir,
          ...rest,
          Env: mergeEnv(image.config.Env, body.Env ?? []),
          Cmd: cmd,
          Entrypoint: entrypoint,
          Labels: { ...image.labels, ...(body.Labels ?? {}) },
        },
      },
      this,
    );
    container.mounts.push(...this.#mounts(body, hostConfig));
    this.containers.set(id, container);
    if (network) this.#attach(network, container, networking?.EndpointsConfig?.[network.name] ?? {});
    for (const [networkName, settings] of Object.entries(networking?.EndpointsConfig ?? {})) {
      const extra = this.network(networkName);
      if (extra !== network) this.#attach(extra, container, settings);
    }
    this.events.emit("container", "create", id, container.attributes());
    return container;
  }

  /** Seeds a container from a create body (`{ Image: "busybox", Cmd: [...] }`), optionally started. */
  addContainer(body: ContainerCreateBody, options: ContainerSeedOptions = {}): MockContainer {
    const container = this.createContainer(body, options.name);
    if (options.start) container.start();
    return container;
  }

  /** Finds a container by full ID, name (with or without `/`) or unique ID prefix. */
  findContainer(ref: string): MockContainer | undefined {
    const exact = this.containers.get(ref);
    if (exact) return exact;
    const name = `/${ref.replace(/^\//, "")}`;
    const all = [...this.containers.values()];
    const named = all.find((container) => container.name === name);
    if (named) return named;
    const matches = ref === "" ? [] : all.filter((container) => container.id.startsWith(ref));
    if (matches.length > 1) throw new DaemonError(400, `Multiple IDs found with provided prefix: ${ref}`);
    return matches[0];
  }

  /** Like {@link findContainer}, but a miss is the daemon's 404 (`No such container: <ref>`). */
  container(ref: string): MockContainer {
    const container = this.findContainer(ref);
    if (!container) throw noSuchContainer(ref);
    return container;
  }

  /** Renames a container; a taken name is the daemon's 409. */
  renameContainer(container: MockContainer, newName: string): void {
    if (!newName || !NAME_PATTERN.test(newName)) {
      throw new DaemonError(400, `Invalid container name (${newName}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    }
    const fullName = `/${newName.replace(/^\//, "")}`;
    if (fullName === container.name) throw new DaemonError(400, "Renaming a container with the same name as its current name");
    const holder = [...this.containers.values()].find((other) => other.name === fullName);
    if (holder) throw new DaemonError(409, `Error when allocating new name: ${nameConflict(fullName, holder.id).message}`);
    const oldName = container.name;
    container.name = fullName;
    this.events.emit("container", "rename", container.id, container.attributes({ oldName }));
  }

  /**
   * Removes a container. A running one needs `force` (then it is killed first); `volumes` also
   * removes its anonymous volumes.
   */
  async removeContainer(container: MockContainer, options: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    if (container.running) {
      if (!options.force) {
        throw new DaemonError(409, `cannot remove container "${container.name}": container is running: stop the container before removing or force remove`);
      }
      container.kill(SIGKILL);
      await container.wait("not-running");
    }
    if (!this.containers.has(container.id)) return;
    container.status = "removing";
    this.containers.delete(container.id);
    for (const execId of container.execIds) this.execs.delete(execId);
    if (options.volumes) {
      for (const mount of container.mounts) {
        const volume = mount.Name ? this.volumes.get(mount.Name) : undefined;
        if (volume?.anonymous && !this.volumeUsers(volume).length) this.#deleteVolume(volume);
      }
    }
    this.events.emit("container", "destroy", container.id, container.attributes());
    container.dispose();
  }

  /** Called by a container that exits with `AutoRemove` set. */
  autoRemove(container: MockContainer): void {
    void this.removeContainer(container, { volumes: true });
  }

  // ---- networks ------------------------------------------------------------------------------

  /** Creates a network (`network create`); a taken name is the daemon's 409. */
  addNetwork(spec: NetworkSpec): MockNetwork {
    if (!spec.Name) throw new DaemonError(400, "network name must not be empty");
    if ([...this.networks.values()].some((network) => network.name === spec.Name)) {
      throw new DaemonError(409, `network with name ${spec.Name} already exists`);
    }
    const network = this.#createNetwork(spec, false);
    this.events.emit("network", "create", network.id, { name: network.name, type: network.driver });
    return network;
  }

  /** Finds a network by full ID, name or unique ID prefix; a miss is the daemon's 404. */
  network(ref: string): MockNetwork {
    const all = [...this.networks.values()];
    const network =
      this.networks.get(ref) ?? all.find((n) => n.name === ref) ?? oneOf(all.filter((n) => ref !== "" && n.id.startsWith(ref)));
    if (!network) throw new DaemonError(404, `network ${ref} not found`);
    return network;
  }

  /** Containers attached to `network`. */
  networkUsers(network: MockNetwork): MockContainer[] {
    return [...this.containers.values()].filter((container) => container.networks.has(network.name));
  }

  /** Connects a container (`network connect`); already connected is a 403 like the daemon's. */
  connect(network: MockNetwork, container: MockContainer, settings: EndpointSettings = {}): void {
    if (container.networks.has(network.name)) {
      throw new DaemonError(403, `endpoint with name ${container.name.slice(1)} already exists in network ${network.name}`);
    }
    this.#attach(network, container, settings);
    this.events.emit("network", "connect", network.id, { container: container.id, name: network.name, type: network.driver });
  }

  /** Disconnects a container; not connected is a 403 like the daemon's. */
  disconnect(network: MockNetwork, container: MockContainer): void {
    if (!container.networks.delete(network.name)) {
      throw new DaemonError(403, `container ${container.id} is not connected to network ${network.name}`);
    }
    this.events.emit("network", "disconnect", network.id, { container: container.id, name: network.name, type: network.driver });
  }

  /** Removes a network: built-in ones and ones with containers attached are refused (403). */
  removeNetwork(network: MockNetwork): void {
    if (network.builtin) throw new DaemonError(403, `${network.name} is a pre-defined network and cannot be removed`);
    if (this.networkUsers(network).some((container) => container.running)) {
      throw new DaemonError(403, `error while removing network: network ${network.name} id ${network.id} has active endpoints`);
    }
    for (const container of this.networkUsers(network)) container.networks.delete(network.name);
    this.networks.delete(network.id);
    this.events.emit("network", "destroy", network.id, { name: network.name, type: network.driver });
  }

  // ---- volumes -------------------------------------------------------------------------------

  /** Creates a volume; an existing name returns the existing volume, as the daemon does. */
  addVolume(spec: VolumeSpec = {}): MockVolume {
    const existing = spec.Name ? this.volumes.get(spec.Name) : undefined;
    if (existing) return existing;
    if (spec.Name && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(spec.Name)) {
      throw new DaemonError(400, `create ${spec.Name}: "${spec.Name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
    }
    const anonymous = !spec.Name;
    const volume: MockVolume = {
      name: spec.Name || randomHex(),
      driver: spec.Driver || "local",
      created: nowNs(),
      labels: { ...(spec.Labels ?? {}), ...(anonymous ? { [ANONYMOUS_LABEL]: "" } : {}) },
      options: spec.DriverOpts ?? {},
      anonymous,
    };
    this.volumes.set(volume.name, volume);
    this.events.emit("volume", "create", volume.name, { driver: volume.driver });
    return volume;
  }

  /** A volume by name; a miss is the daemon's 404. */
  volume(name: string): MockVolume {
    const volume = this.volumes.get(name);
    if (!volume) throw new DaemonError(404, `get ${name}: no such volume`);
    return volume;
  }

  /** Containers (any state) that mount `volume`. */
  volumeUsers(volume: MockVolume): MockContainer[] {
    return [...this.containers.values()].filter((container) => container.mounts.some((mount) => mount.Name === volume.name));
  }

  /** Removes a volume; one in use by any container is the daemon's 409. */
  removeVolume(volume: MockVolume): void {
    const users = this.volumeUsers(volume);
    if (users.length > 0) {
      throw new DaemonError(409, `remove ${volume.name}: volume is in use - [${users.map((c) => c.id).join(", ")}]`);
    }
    this.#deleteVolume(volume);
  }

  // ---- execs ---------------------------------------------------------------------------------

  /** An exec instance by ID; a miss is the daemon's 404. */
  exec(id: string): MockExec {
    const exec = this.execs.get(id);
    if (!exec) throw new DaemonError(404, `No such exec instance: ${id}`);
    return exec;
  }

  /** Kills every process and detaches every watcher: the daemon is shutting down. */
  dispose(): void {
    for (const container of this.containers.values()) container.dispose();
  }

  // ---- internals -----------------------------------------------------------------------------

  /** Normalises a reference to familiar `repository:tag`; garbage is the daemon's 400. */
  #ref(ref: string): string {
    const parsed = parseRef(ref);
    if (!parsed) throw new DaemonError(400, `invalid reference format: repository name (${ref}) must be lowercase`);
    return familiar(parsed);
  }

  #retag(image: MockImage, name: string): void {
    for (const other of this.images.values()) {
      if (other !== image) other.repoTags = other.repoTags.filter((tag) => tag !== name);
    }
    if (!image.repoTags.includes(name)) image.repoTags.push(name);
  }

  #freeName(): string {
    for (;;) {
      const name = randomName();
      if (!this.findContainer(name)) return name;
    }
  }

  #createNetwork(spec: NetworkSpec, builtin: boolean): MockNetwork {
    const driver = spec.Driver || "bridge";
    const addressed = driver !== "host" && driver !== "null";
    const subnet = !addressed ? "" : (spec.IPAM?.Config?.[0]?.Subnet ?? (spec.Name === "bridge" ? "172.17.0.0/16" : `172.${this.#nextSubnet++}.0.0/16`));
    const network: MockNetwork = {
      id: randomHex(),
      name: spec.Name,
      driver,
      created: nowNs(),
      internal: spec.Internal ?? false,
      attachable: spec.Attachable ?? false,
      enableIPv6: spec.EnableIPv6 ?? false,
      subnet,
      options: spec.Options ?? {},
      labels: spec.Labels ?? {},
      builtin,
    };
    this.networks.set(network.id, network);
    return network;
  }

  #attach(network: MockNetwork, container: MockContainer, settings: EndpointSettings): void {
    const hasAddress = network.subnet !== "";
    const base = network.subnet.split("/")[0]?.split(".").slice(0, 3).join(".") ?? "172.17.0";
    const address = hasAddress ? `${base}.${this.networkUsers(network).length + 2}` : "";
    container.networks.set(network.name, {
      IPAMConfig: null,
      Links: null,
      Aliases: null,
      DriverOpts: null,
      ...settings,
      NetworkID: network.id,
      EndpointID: randomHex(),
      Gateway: hasAddress ? `${base}.1` : "",
      IPAddress: settings.IPAMConfig?.IPv4Address ?? address,
      IPPrefixLen: hasAddress ? Number(network.subnet.split("/")[1] ?? 16) : 0,
      IPv6Gateway: "",
      GlobalIPv6Address: "",
      GlobalIPv6PrefixLen: 0,
      MacAddress: hasAddress ? `02:42:ac:11:00:${(this.networkUsers(network).length + 2).toString(16).padStart(2, "0")}` : "",
    });
  }

  /** Mount points for the create body's binds, mounts and image-style volumes; volumes are created as needed. */
  #mounts(body: ContainerCreateBody, hostConfig: HostConfig): MountPoint[] {
    const mounts: MountPoint[] = [];
    const volumeMount = (name: string | undefined, destination: string, rw: boolean) => {
      const volume = this.addVolume(name ? { Name: name } : {});
      mounts.push({ Type: "volume", Name: volume.name, Source: `/var/lib/docker/volumes/${volume.name}/_data`, Destination: destination, Driver: volume.driver, Mode: "z", RW: rw, Propagation: "" });
    };
    for (const bind of hostConfig.Binds ?? []) {
      const [source = "", destination = "", mode = ""] = bind.split(":");
      const rw = !mode.split(",").includes("ro");
      if (source.startsWith("/")) mounts.push({ Type: "bind", Source: source, Destination: destination, Mode: mode, RW: rw, Propagation: "rprivate" });
      else volumeMount(source, destination, rw);
    }
    for (const mount of hostConfig.Mounts ?? []) {
      if (mount.Type === "volume") volumeMount(mount.Source, mount.Target ?? "", mount.ReadOnly !== true);
      else mounts.push({ Type: mount.Type ?? "bind", Source: mount.Source ?? "", Destination: mount.Target ?? "", Mode: "", RW: mount.ReadOnly !== true, Propagation: "rprivate" });
    }
    for (const destination of Object.keys(body.Volumes ?? {})) {
      if (!mounts.some((mount) => mount.Destination === destination)) volumeMount(undefined, destination, true);
    }
    return mounts;
  }

  #deleteVolume(volume: MockVolume): void {
    this.volumes.delete(volume.name);
    this.events.emit("volume", "destroy", volume.name, { driver: volume.driver });
  }
}

function nameConflict(name: string, holderId: string): DaemonError {
  return new DaemonError(
    409,
    `Conflict. The container name "${name}" is already in use by container "${holderId}". You have to remove (or rename) that container to be able to reuse that name.`,
  );
}

/** Image env first, then the container's; a later `KEY=` replaces an earlier one in place. */
function mergeEnv(base: string[], extra: string[]): string[] {
  const merged = new Map<string, string>();
  for (const entry of [...base, ...extra]) merged.set(entry.split("=")[0] ?? entry, entry);
  if (![...merged.keys()].includes("PATH")) merged.set("PATH", DEFAULT_PATH);
  return [...merged.values()];
}

function oneOf<T>(matches: T[]): T | undefined {
  return matches.length === 1 ? matches[0] : undefined;
}
