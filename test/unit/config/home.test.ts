import { describe, expect, it, vi } from "vitest";

// The runtime refusing to name the home directory, as Deno does without --allow-sys.
vi.mock("node:os", async (original) => ({
  ...(await original<typeof import("node:os")>()),
  homedir: () => {
    throw new Error('Requires sys access to "homedir", run again with the --allow-sys flag');
  },
}));

describe("homeDir", () => {
  it("takes HOME or USERPROFILE first, and turns the runtime's refusal into a DockerConfigError saying what to pass", async () => {
    const { homeDir, dockerConfigDir } = await import("../../../src/config/env.js");
    const { DockerConfigError } = await import("../../../src/core/errors.js");
    expect(homeDir({ HOME: "/home/me" })).toBe("/home/me");
    expect(homeDir({ USERPROFILE: "C:\\Users\\me" })).toBe("C:\\Users\\me");
    expect(dockerConfigDir({}, "/etc/docker-config")).toBe("/etc/docker-config");
    const refused = (() => {
      try {
        return homeDir({});
      } catch (err) {
        return err;
      }
    })();
    expect(refused).toBeInstanceOf(DockerConfigError);
    expect((refused as Error).message).toMatch(/--allow-sys.*configDir/);
  });
});
