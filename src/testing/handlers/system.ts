import type { HttpHandler } from "msw";
import { endpoint } from "../endpoint.js";
import { json } from "../reply.js";
import type { MockState } from "../state.js";
import { sleep } from "../time.js";
import type { Schema } from "../wire.js";
import type { DaemonSettings } from "./settings.js";

/** `/_ping` (GET and HEAD), `/version` and `/info`. */
export function systemHandlers(state: MockState, settings: DaemonSettings): HttpHandler[] {
  const ping = async () => {
    if (settings.pingDelayMs > 0) await sleep(settings.pingDelayMs, settings.closing);
    return new Response("OK", {
      headers: {
        "Content-Type": "text/plain; charset=utf-8",
        "Api-Version": settings.apiVersion,
        OSType: "linux",
        "Docker-Experimental": "false",
        "Builder-Version": settings.builderVersion,
        Swarm: "inactive",
        "Cache-Control": "no-cache, no-store, must-revalidate",
        Pragma: "no-cache",
      },
    });
  };
  const kernel = "6.8.0-mock";
  return [
    endpoint.get("/_ping", ping),
    endpoint.head("/_ping", ping),
    endpoint.get("/version", () => {
      const details = { ApiVersion: settings.apiVersion, MinAPIVersion: settings.minApiVersion, Os: "linux", Arch: "amd64", KernelVersion: kernel };
      return json(<Schema<"SystemVersion">>{
        Platform: { Name: "Docker Engine - Mock" },
        Components: [
          {
            Name: "Engine",
            Version: settings.engineVersion,
            Details: { ...details, BuildTime: "2025-01-01T00:00:00.000000000+00:00", Experimental: "false", GitCommit: "mock", GoVersion: "go1.24.0" },
          },
          { Name: "containerd", Version: "1.7.0", Details: { GitCommit: "mock" } },
          { Name: "runc", Version: "1.2.0", Details: { GitCommit: "mock" } },
        ],
        Version: settings.engineVersion,
        ...details,
        GitCommit: "mock",
        GoVersion: "go1.24.0",
        BuildTime: "2025-01-01T00:00:00.000000000+00:00",
      });
    }),
    endpoint.get("/info", () => {
      const containers = [...state.containers.values()];
      const count = (status: string) => containers.filter((container) => container.status === status).length;
      return json(<Schema<"SystemInfo">>{
        ID: settings.daemonId,
        Name: "dockhand-mock",
        Containers: containers.length,
        ContainersRunning: count("running"),
        ContainersPaused: count("paused"),
        ContainersStopped: containers.length - count("running") - count("paused"),
        Images: state.images.size,
        Driver: "overlay2",
        DriverStatus: [["Backing Filesystem", "extfs"]],
        DockerRootDir: "/var/lib/docker",
        ServerVersion: settings.engineVersion,
        OperatingSystem: "Dockhand mock daemon",
        OSType: "linux",
        OSVersion: "",
        Architecture: "x86_64",
        KernelVersion: kernel,
        MemoryLimit: true,
        SwapLimit: true,
        CpuCfsPeriod: true,
        CpuCfsQuota: true,
        CPUShares: true,
        CPUSet: true,
        PidsLimit: true,
        OomKillDisable: false,
        IPv4Forwarding: true,
        Debug: false,
        NFd: 30,
        NGoroutines: 50,
        SystemTime: new Date().toISOString(),
        NEventsListener: 0,
        HttpProxy: "",
        HttpsProxy: "",
        NoProxy: "",
        GenericResources: null,
        InitBinary: "docker-init",
        ContainerdCommit: { ID: "mock" },
        RuncCommit: { ID: "mock" },
        InitCommit: { ID: "mock" },
        NCPU: 2,
        MemTotal: 4_294_967_296,
        IndexServerAddress: "https://index.docker.io/v1/",
        RegistryConfig: { IndexConfigs: {}, InsecureRegistryCIDRs: ["127.0.0.0/8"], Mirrors: [] },
        Plugins: { Volume: ["local"], Network: ["bridge", "host", "null"], Authorization: null, Log: ["json-file", "local"] },
        LoggingDriver: "json-file",
        CgroupDriver: "systemd",
        CgroupVersion: "2",
        DefaultRuntime: "runc",
        Runtimes: { runc: { path: "runc" } },
        Swarm: { NodeID: "", NodeAddr: "", LocalNodeState: "inactive", ControlAvailable: false, Error: "", RemoteManagers: null },
        Labels: [],
        ExperimentalBuild: false,
        LiveRestoreEnabled: false,
        Isolation: "",
        SecurityOptions: ["name=seccomp,profile=builtin", "name=cgroupns"],
        Warnings: null,
      });
    }),
  ];
}
