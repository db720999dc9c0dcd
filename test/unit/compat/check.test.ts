import { describe, expect, it } from "vitest";
import { availability, checkSupport, isSupported } from "../../../src/core/compat.js";
import { UnsupportedApiVersionError } from "../../../src/core/errors.js";
import type { OperationId } from "../../../generated/operations.js";

/** The error `checkSupport` throws for a call, or undefined when it lets the call through. */
function refusal(op: OperationId, version: string, call: Parameters<typeof checkSupport>[2], pinned = false, daemon?: string) {
  try {
    checkSupport(op, version, call, pinned, daemon);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(UnsupportedApiVersionError);
    return err as UnsupportedApiVersionError;
  }
}

describe("checkSupport: operations and query parameters", () => {
  it("names the parameter, the version it needs and the daemon's", () => {
    const err = refusal("ImageList", "1.41", { query: { identity: true } });
    expect(err?.message).toBe('ImageList parameter "identity" needs API 1.54; the daemon speaks 1.41');
    expect(err).toMatchObject({ requiredVersion: "1.54", actualVersion: "1.41", apiVersion: "1.41", method: "GET" });
  });

  it("names an operation newer than the version in use", () => {
    const err = refusal("ImageAttestations", "1.51", { path: { name: "busybox" } } as never);
    expect(err?.message).toBe("ImageAttestations needs API 1.55; the daemon speaks 1.51");
    expect(err?.requiredVersion).toBe("1.55");
  });

  it("says the client is pinned when the version was fixed by the user", () => {
    const err = refusal("ContainerStop", "1.40", { query: { signal: "SIGKILL" } }, true);
    expect(err?.message).toBe('ContainerStop parameter "signal" needs API 1.42; this client is pinned to API 1.40');
  });

  it("lets the call through from the version that added the parameter on", () => {
    expect(refusal("ContainerStop", "1.42", { query: { signal: "SIGKILL" } })).toBeUndefined();
    expect(refusal("ContainerStats", "1.41", { query: { stream: false, "one-shot": true } })).toBeUndefined();
    expect(refusal("ContainerStats", "1.40", { query: { "one-shot": true } })?.requiredVersion).toBe("1.41");
  });

  it("only counts parameters that are sent: undefined and null are left out of the URL", () => {
    expect(refusal("ImageList", "1.41", { query: { identity: undefined, manifests: null, all: true } })).toBeUndefined();
  });

  it("counts false and empty values, which are sent", () => {
    expect(refusal("ImageList", "1.41", { query: { "shared-size": false } })?.requiredVersion).toBe("1.42");
    expect(refusal("ContainerCreate", "1.40", { query: { platform: "" } })?.requiredVersion).toBe("1.41");
  });

  it("leaves parameters the tables do not know to the daemon", () => {
    expect(refusal("ContainerList", "1.41", { query: { "from-the-future": 1 } })).toBeUndefined();
    expect(isSupported("ContainerList", "1.41", "query", "from-the-future")).toBe(true);
  });

  it("refuses a parameter from the version that removed it on, and says what replaced it", () => {
    expect(refusal("BuildPrune", "1.51", { query: { "keep-storage": 1 } })).toBeUndefined();
    const err = refusal("BuildPrune", "1.52", { query: { "keep-storage": 1 } });
    expect(err?.message).toBe(
      'BuildPrune parameter "keep-storage" was removed in API 1.52; the daemon speaks 1.52 (use "reserved-space" instead)',
    );
    expect(err?.requiredVersion).toBe("1.51");
    expect(refusal("BuildPrune", "1.52", { query: { "reserved-space": 1 } })).toBeUndefined();
    expect(refusal("BuildPrune", "1.47", { query: { "reserved-space": 1 } })?.requiredVersion).toBe("1.48");
  });

  it("does not refuse anything the oldest spec already had when pinned below it", () => {
    // 1.40 is the oldest spec compared: "since 1.40" means "at or before 1.40", not "from 1.40".
    expect(refusal("ContainerList", "1.30", { query: { all: true } }, true)).toBeUndefined();
    expect(refusal("ContainerStop", "1.30", { query: { signal: "SIGTERM" } }, true)?.requiredVersion).toBe("1.42");
  });

  it("lets versions past the newest spec use everything not removed", () => {
    expect(refusal("ImageAttestations", "1.60", { query: { statement: true } })).toBeUndefined();
    expect(refusal("BuildPrune", "1.60", { query: { "keep-storage": 1 } })?.message).toContain("removed in API 1.52");
  });
});

describe("checkSupport: filters", () => {
  it("checks each key of a filters object", () => {
    const err = refusal("VolumePrune", "1.41", { query: { filters: { all: ["true"], label: ["a"] } } });
    expect(err?.message).toBe('VolumePrune filter "all" needs API 1.42; the daemon speaks 1.41');
    expect(refusal("VolumePrune", "1.42", { query: { filters: { all: ["true"] } } })).toBeUndefined();
  });

  it("refuses a removed filter key, with the reason", () => {
    const err = refusal("ImageSearch", "1.45", { query: { term: "x", filters: { "is-automated": ["true"] } } });
    expect(err?.message).toMatch(/^ImageSearch filter "is-automated" was removed in API 1\.45; .*automated builds/);
    expect(refusal("ImageSearch", "1.44", { query: { filters: { "is-automated": ["false"] } } })).toBeUndefined();
  });

  it("skips keys left undefined and filters already encoded as a string", () => {
    expect(refusal("VolumePrune", "1.41", { query: { filters: { all: undefined } } })).toBeUndefined();
    expect(refusal("VolumePrune", "1.41", { query: { filters: '{"all":["true"]}' } })).toBeUndefined();
  });

  it("checks the image `until` filter against the daemon's own version: the CHANGELOG says it is not versioned", () => {
    expect(availability("ImageList", "filter", "until")).toEqual({ since: "1.44", unversioned: true });
    const until = { query: { filters: { until: ["10m"] } } };
    // dockerd 20.10 (API 1.41) answers 400: refused before sending, naming what it needs.
    const old = refusal("ImageList", "1.41", until, false, "1.41");
    expect(old?.message).toBe('ImageList filter "until" needs a daemon that serves API 1.44 (at any API version); the daemon speaks 1.41');
    expect(old).toMatchObject({ requiredVersion: "1.44", actualVersion: "1.41" });
    // A newer daemon honours it even when the client is pinned lower.
    expect(refusal("ImageList", "1.41", until, true, "1.51")).toBeUndefined();
    // Pinned without a ping, nothing says what the daemon has: it decides.
    expect(refusal("ImageList", "1.41", until, true)).toBeUndefined();
    expect(refusal("ImageList", "1.41", { query: { filters: { until: undefined, dangling: true } } }, false, "1.41")).toBeUndefined();
    expect(isSupported("ImageList", "1.40", "filter", "until")).toBe(true);
  });
});

describe("checkSupport: headers", () => {
  it("matches header names case-insensitively", () => {
    expect(availability("ImageCreate", "header", "x-registry-auth")).toEqual({ since: "1.40" });
    expect(refusal("ImageCreate", "1.40", { headers: { "x-registry-auth": "e30" } })).toBeUndefined();
  });
});

describe("checkSupport: container options the CHANGELOG dates", () => {
  const cases: [string, string, Record<string, unknown>][] = [
    ["HostConfig.Mounts[].BindOptions.CreateMountpoint", "1.42",
      { HostConfig: { Mounts: [{ Type: "bind", Source: "/x", Target: "/x", BindOptions: { CreateMountpoint: true } }] } }],
    ["HostConfig.Annotations", "1.43", { HostConfig: { Annotations: { "io.example": "1" } } }],
    ["Healthcheck.StartInterval", "1.44", { Healthcheck: { Test: ["CMD", "true"], StartInterval: 1_000_000 } }],
    ["HostConfig.Mounts[].BindOptions.ReadOnlyForceRecursive", "1.44",
      { HostConfig: { Mounts: [{ Type: "bind", BindOptions: { ReadOnlyForceRecursive: true } }] } }],
    ["NetworkingConfig.EndpointsConfig.*.MacAddress", "1.44",
      { NetworkingConfig: { EndpointsConfig: { bridge: {}, web: { MacAddress: "02:42:ac:11:00:02" } } } }],
    ["HostConfig.Mounts[].VolumeOptions.Subpath", "1.45",
      { HostConfig: { Mounts: [{ Type: "volume", VolumeOptions: { Subpath: "data" } }] } }],
    ["HostConfig.Mounts[].TmpfsOptions.Options", "1.46",
      { HostConfig: { Mounts: [{ Type: "tmpfs", TmpfsOptions: { Options: [["exec"]] } }] } }],
    ["HostConfig.Mounts[].Type", "1.48", { HostConfig: { Mounts: [{ Type: "image", Source: "busybox", Target: "/b" }] } }],
    ["NetworkingConfig.EndpointsConfig.*.GwPriority", "1.48", { NetworkingConfig: { EndpointsConfig: { web: { GwPriority: 10 } } } }],
  ];

  it.each(cases)("%s needs API %s", (field, since, body) => {
    const before = `1.${Number(since.split(".")[1]) - 1}`;
    const err = refusal("ContainerCreate", before, { body: { Image: "busybox", ...body } });
    expect(err?.message).toBe(`ContainerCreate field ${JSON.stringify(field)} needs API ${since}; the daemon speaks ${before}`);
    expect(refusal("ContainerCreate", since, { body: { Image: "busybox", ...body } })).toBeUndefined();
    expect(availability("ContainerCreate", "body", field)).toEqual({ since });
  });

  it("reads zero values as unset, as the daemon's Go types do", () => {
    const body = {
      Image: "busybox",
      Healthcheck: { StartInterval: 0 },
      HostConfig: { Annotations: {}, Mounts: [{ Type: "bind", BindOptions: { CreateMountpoint: false } }] },
      NetworkingConfig: { EndpointsConfig: { bridge: { MacAddress: "", GwPriority: 0 } } },
    };
    expect(refusal("ContainerCreate", "1.40", { body })).toBeUndefined();
  });

  it("only refuses the image mount type, not the other types", () => {
    const body = { Image: "busybox", HostConfig: { Mounts: [{ Type: "volume" }, { Type: "tmpfs" }, { Type: "bind" }] } };
    expect(refusal("ContainerCreate", "1.41", { body })).toBeUndefined();
  });

  it("ignores bodies of the wrong shape instead of crashing: the daemon will answer", () => {
    for (const body of [undefined, null, "text", 42, [], { HostConfig: { Mounts: "x" } }, { NetworkingConfig: { EndpointsConfig: null } }]) {
      expect(refusal("ContainerCreate", "1.41", { body })).toBeUndefined();
    }
  });
});

describe("isSupported / availability", () => {
  it("answers for operations and each kind of part", () => {
    expect(availability("ImageAttestations")).toEqual({ since: "1.55" });
    expect(availability("BuildPrune", "query", "keep-storage")).toEqual({ since: "1.40", removedIn: "1.52" });
    expect(availability("ImageSearch", "filter", "is-automated")).toMatchObject({ removedIn: "1.45" });
    expect(availability("ContainerList", "query", "nope")).toBeUndefined();
    expect(isSupported("VolumeUpdate", "1.41")).toBe(false);
    expect(isSupported("VolumeUpdate", "1.42")).toBe(true);
    expect(isSupported("BuildPrune", "1.52", "query", "keep-storage")).toBe(false);
  });
});
