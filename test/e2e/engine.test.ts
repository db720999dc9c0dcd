// Proves the provisioning (scripts/engine.sh, .ci/run): the engine in
// DOCKER_HOST answers, has the test image, and can run a container.
import { expect, it } from "vitest";
import { describeEngine, engineRequest, TEST_IMAGE } from "./engine.js";
import { taggedAs } from "./engines.js";

const json = <T>(body: string): T => JSON.parse(body) as T;

describeEngine("provisioned engine", () => {
  it("answers /_ping with OK and its API version", async () => {
    const res = await engineRequest("/_ping");
    expect(res.status).toBe(200);
    expect(res.body).toBe("OK");
    expect(res.headers["api-version"]).toMatch(/^1\.\d+$/);
  });

  it("speaks at least API 1.41 (dockerd 20.10)", async () => {
    const res = await engineRequest("/version");
    expect(res.status).toBe(200);
    const minor = Number(json<{ ApiVersion: string }>(res.body).ApiVersion.split(".")[1]);
    expect(minor).toBeGreaterThanOrEqual(41);
  });

  it(`has the ${TEST_IMAGE} test image`, async () => {
    const res = await engineRequest(`/images/${TEST_IMAGE}/json`);
    expect(res.status, res.body).toBe(200);
    const image = json<{ RepoTags: string[]; Config: { Cmd: string[] } }>(res.body);
    expect(image.RepoTags).toContain(taggedAs(TEST_IMAGE));
    expect(image.Config.Cmd).toEqual(["sh"]);
  });

  it(`runs a ${TEST_IMAGE} container on the default bridge`, async () => {
    const created = await engineRequest("/containers/create", {
      method: "POST",
      // The arithmetic proves a shell ran; the address proves bridge networking.
      json: { Image: TEST_IMAGE, Cmd: ["sh", "-c", "echo smoke-$((6 * 7)) ip=$(hostname -i)"] },
    });
    expect(created.status, created.body).toBe(201);
    const { Id: id } = json<{ Id: string }>(created.body);
    try {
      const started = await engineRequest(`/containers/${id}/start`, { method: "POST" });
      expect(started.status, started.body).toBe(204);
      const waited = await engineRequest(`/containers/${id}/wait`, { method: "POST" });
      expect(json<{ StatusCode: number }>(waited.body).StatusCode).toBe(0);
      const logs = await engineRequest(`/containers/${id}/logs?stdout=1&stderr=1`);
      expect(logs.body).toMatch(/smoke-42 ip=(?!127\.)\d+\.\d+\.\d+\.\d+/);
    } finally {
      await engineRequest(`/containers/${id}?force=1`, { method: "DELETE" });
    }
  });
});
