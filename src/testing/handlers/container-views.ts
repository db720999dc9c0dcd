import { compareVersions } from "../../core/version.js";
import type { MockContainer } from "../container.js";
import type { MockState } from "../state.js";
import { nowNs, rfc3339, unixSeconds, type Nanos } from "../time.js";
import type { HostConfig, Schema } from "../wire.js";

/** Host settings inspect reports when the create body left them out. */
const HOST_CONFIG_DEFAULTS: HostConfig = {
  Binds: null,
  ContainerIDFile: "",
  LogConfig: { Type: "json-file", Config: {} },
  NetworkMode: "bridge",
  PortBindings: {},
  RestartPolicy: { Name: "no", MaximumRetryCount: 0 },
  AutoRemove: false,
  VolumeDriver: "",
  VolumesFrom: null,
  ConsoleSize: [0, 0],
  CapAdd: null,
  CapDrop: null,
  CgroupnsMode: "private",
  Dns: [],
  DnsOptions: [],
  DnsSearch: [],
  ExtraHosts: null,
  GroupAdd: null,
  IpcMode: "private",
  Cgroup: "",
  Links: null,
  OomScoreAdj: 0,
  PidMode: "",
  Privileged: false,
  PublishAllPorts: false,
  ReadonlyRootfs: false,
  SecurityOpt: null,
  UTSMode: "",
  UsernsMode: "",
  ShmSize: 67_108_864,
  Runtime: "runc",
  Isolation: "",
  CpuShares: 0,
  Memory: 0,
  NanoCpus: 0,
  CgroupParent: "",
  BlkioWeight: 0,
  CpuPeriod: 0,
  CpuQuota: 0,
  CpusetCpus: "",
  CpusetMems: "",
  Devices: [],
  MemoryReservation: 0,
  MemorySwap: 0,
  MemorySwappiness: null,
  OomKillDisable: false,
  PidsLimit: null,
  MaskedPaths: ["/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys"],
  ReadonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
};

/** One entry of `GET /containers/json`. */
export function containerSummary(container: MockContainer, withSize: boolean): Schema<"ContainerSummary"> {
  return {
    Id: container.id,
    Names: [container.name],
    // The create body always names it (creating without one is refused).
    Image: container.config.Image ?? container.image.id,
    ImageID: container.image.id,
    Command: container.argv.map(shellQuote).join(" "),
    Created: unixSeconds(container.created),
    Ports: [],
    ...(withSize ? { SizeRw: 0, SizeRootFs: container.image.size } : {}),
    Labels: container.config.Labels ?? {},
    State: container.status,
    Status: humanStatus(container),
    HostConfig: { NetworkMode: container.hostConfig.NetworkMode ?? "bridge" },
    NetworkSettings: { Networks: Object.fromEntries(container.networks) },
    Mounts: container.mounts,
  };
}

/** `GET /containers/{id}/json`. Before API 1.52 `NetworkSettings` also has the legacy top-level fields. */
export function containerInspect(container: MockContainer, state: MockState, version: string, withSize: boolean): Schema<"ContainerInspectResponse"> {
  const [path = "", ...args] = container.argv;
  const bridge = container.networks.get("bridge");
  const legacy =
    compareVersions(version, "1.52") < 0
      ? {
          Bridge: "",
          HairpinMode: false,
          LinkLocalIPv6Address: "",
          LinkLocalIPv6PrefixLen: 0,
          SecondaryIPAddresses: null,
          SecondaryIPv6Addresses: null,
          EndpointID: (container.running && bridge?.EndpointID) || "",
          Gateway: (container.running && bridge?.Gateway) || "",
          GlobalIPv6Address: "",
          GlobalIPv6PrefixLen: 0,
          IPAddress: (container.running && bridge?.IPAddress) || "",
          IPPrefixLen: (container.running && bridge?.IPPrefixLen) || 0,
          IPv6Gateway: "",
          MacAddress: (container.running && bridge?.MacAddress) || "",
        }
      : {};
  const dir = `/var/lib/docker/containers/${container.id}`;
  const execIds = container.execIds.filter((id) => state.execs.has(id));
  return {
    Id: container.id,
    Created: rfc3339(container.created),
    Path: path,
    Args: args,
    State: {
      Status: container.status,
      Running: container.running,
      Paused: container.status === "paused",
      Restarting: container.status === "restarting",
      OOMKilled: false,
      Dead: container.status === "dead",
      Pid: container.pid,
      ExitCode: container.exitCode,
      Error: "",
      StartedAt: rfc3339(container.startedAt),
      FinishedAt: rfc3339(container.finishedAt),
    },
    Image: container.image.id,
    ResolvConfPath: `${dir}/resolv.conf`,
    HostnamePath: `${dir}/hostname`,
    HostsPath: `${dir}/hosts`,
    LogPath: `${dir}/${container.id}-json.log`,
    Name: container.name,
    RestartCount: container.restartCount,
    Driver: "overlay2",
    Platform: "linux",
    MountLabel: "",
    ProcessLabel: "",
    AppArmorProfile: "",
    ExecIDs: execIds.length > 0 ? execIds : null,
    HostConfig: { ...HOST_CONFIG_DEFAULTS, ...container.hostConfig },
    GraphDriver: { Data: null, Name: "overlay2" },
    ...(withSize ? { SizeRw: 0, SizeRootFs: container.image.size } : {}),
    Mounts: container.mounts,
    Config: container.config,
    NetworkSettings: {
      SandboxID: container.running ? container.id.split("").reverse().join("") : "",
      SandboxKey: container.running ? `/var/run/docker/netns/${container.id.slice(0, 12)}` : "",
      Ports: {},
      ...legacy,
      Networks: Object.fromEntries(container.networks),
    },
  };
}

/** `Up 3 seconds`, `Exited (0) 2 minutes ago`, `Created`: the summary's `Status` text. */
function humanStatus(container: MockContainer): string {
  switch (container.status) {
    case "running":
      return `Up ${humanDuration(container.startedAt)}`;
    case "paused":
      return `Up ${humanDuration(container.startedAt)} (Paused)`;
    case "exited":
      return `Exited (${container.exitCode}) ${humanDuration(container.finishedAt)} ago`;
    case "removing":
      return "Removal In Progress";
    case "dead":
      return "Dead";
    default:
      return container.status === "created" ? "Created" : "Restarting";
  }
}

/** Go's `units.HumanDuration`, down to the minute ranges tests can reach. */
function humanDuration(since: Nanos | undefined): string {
  const seconds = Number((nowNs() - (since ?? nowNs())) / 1_000_000_000n);
  if (seconds < 1) return "Less than a second";
  if (seconds === 1) return "1 second";
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.round(seconds / 60);
  if (minutes === 1) return "About a minute";
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(seconds / 3600);
  return hours === 1 ? "About an hour" : `${hours} hours`;
}

/** Quotes an argument the way the daemon's summary `Command` shows it. */
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'"'"'`)}'`;
}
